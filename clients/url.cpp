#include "clients/url.hpp"

#include "clients/error.hpp"
#include "clients/http_headers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace bulkd {

namespace {

caf::error bad_url(std::string_view text, bool quote_input, std::string_view why) {
  std::string head = "invalid URL";
  if (quote_input)
    head += " \"" + std::string{text} + "\"";
  return make_error(ec::invalid_argument, head + ": " + std::string{why});
}

std::string lowered(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_host_char(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

} // namespace

std::string url::origin() const {
  return scheme + "://" + host_port();
}

std::string url::host_port() const {
  return bracketed(host) + ":" + std::to_string(port);
}

caf::expected<url> parse_url(std::string_view text, bool quote_input) {
  auto bad = [quote_input](std::string_view t, std::string_view why) {
    return bad_url(t, quote_input, why);
  };
  if (text.empty())
    return bad(text, "empty");
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7f)
      return bad(text, "contains a space or control character (percent-encode it)");
  url result;
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return bad(text, "missing scheme (expected http:// or https://)");
  auto scheme = text.substr(0, sep);
  if (iequals(scheme, "http")) {
    result.scheme = "http";
    result.port = 80;
  } else if (iequals(scheme, "https")) {
    result.scheme = "https";
    result.port = 443;
  } else {
    return bad(text, "unsupported scheme \"" + std::string{scheme} + "\" (expected http or https)");
  }
  auto rest = text.substr(sep + 3);
  auto authority_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, authority_end);
  auto tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos)
    return bad(text, "user information (user@host) is not supported");
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad(text, "unterminated IPv6 address (missing ']')");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad(text, "unexpected characters after the IPv6 address");
      has_port = true;
      port = after.substr(1);
    }
    if (host.empty() ||
        host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return bad(text, "invalid IPv6 address \"" + std::string{host} + "\"");
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
    }
    if (host.empty())
      return bad(text, "missing host");
    for (unsigned char c : host)
      if (!is_host_char(c))
        return bad(text,
                   "invalid character '" + std::string(1, static_cast<char>(c)) + "' in host");
  }
  if (has_port) {
    if (port.empty())
      return bad(text, "empty port");
    unsigned value = 0;
    auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (err != std::errc{} || end != port.data() + port.size() || port.size() > 5 || value == 0 ||
        value > 65535)
      return bad(text, "invalid port \"" + std::string{port} + "\" (expected 1-65535)");
    result.port = static_cast<uint16_t>(value);
  }
  result.host = lowered(host);
  auto target = tail.substr(0, tail.find('#'));
  if (target.empty())
    result.target = "/";
  else if (target.front() == '?')
    result.target = "/" + std::string{target};
  else
    result.target = std::string{target};
  return result;
}

caf::expected<url> parse_origin(std::string_view text) {
  auto result = parse_url(text);
  if (!result)
    return result;
  auto authority_end = text.find_first_of("/?#", text.find("://") + 3);
  auto tail =
      authority_end == std::string_view::npos ? std::string_view{} : text.substr(authority_end);
  if (!tail.empty() && tail != "/")
    return bad_url(text, true, "an origin has no path, query or fragment (expected scheme://host[:port])");
  return result;
}

} // namespace bulkd
