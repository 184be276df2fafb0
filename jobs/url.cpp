#include "jobs/url.hpp"

#include "clients/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace bulkd {

caf::expected<url> parse_url(std::string_view text, bool echo) {
  auto bad = [&](const std::string& why) {
    std::string msg = "invalid URL";
    if (echo)
      msg += " '" + std::string{text} + "'";
    return make_error(ec::invalid_argument, msg + ": " + why);
  };
  url result;
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return bad("expected http:// or https://");
  result.scheme = std::string{text.substr(0, sep)};
  std::transform(result.scheme.begin(), result.scheme.end(), result.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (result.scheme != "http" && result.scheme != "https")
    return bad("scheme must be http or https");
  auto rest = text.substr(sep + 3);
  auto slash = rest.find_first_of("/?#");
  auto authority = rest.substr(0, slash);
  result.target = slash == std::string_view::npos ? "/" : std::string{rest.substr(slash)};
  if (!result.target.empty() && result.target.front() != '/')
    result.target.insert(result.target.begin(), '/');
  if (authority.find('@') != std::string_view::npos)
    return bad("user information in URLs is not supported");
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad("unclosed '[' in host");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad("unexpected text after host");
      port = after.substr(1);
      if (port.empty())
        return bad("empty port");
    }
  } else {
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty())
        return bad("empty port");
    }
  }
  if (host.empty())
    return bad("missing host");
  for (char c : host)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '%' || c == '\\')
      return bad("invalid character in host");
  result.host = std::string{host};
  result.port = result.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, err] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (err != std::errc{} || ptr != port.data() + port.size() || value == 0 || value > 65535)
      return bad("invalid port");
    result.port = static_cast<uint16_t>(value);
  }
  return result;
}

} // namespace bulkd
