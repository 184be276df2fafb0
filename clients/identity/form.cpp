#include "clients/identity/form.hpp"

#include "clients/error.hpp"

#include <cctype>

namespace bulkd::identity {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

caf::expected<std::string> form_decode_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size())
        return make_error(ec::parse_error, "truncated %-escape in form data");
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0)
        return make_error(ec::parse_error, "invalid %-escape in form data");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  return out;
}

std::string form_encode(const form_fields& fields) {
  std::string out;
  for (auto& [name, value] : fields) {
    if (!out.empty())
      out += '&';
    out += percent_encode(name);
    out += '=';
    out += percent_encode(value);
  }
  return out;
}

caf::expected<form_fields> form_decode(std::string_view body) {
  form_fields out;
  while (!body.empty()) {
    auto amp = body.find('&');
    auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos)
      return make_error(ec::parse_error, "form field without '='");
    auto name = form_decode_component(pair.substr(0, eq));
    if (!name)
      return std::move(name.error());
    auto value = form_decode_component(pair.substr(eq + 1));
    if (!value)
      return std::move(value.error());
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

} // namespace bulkd::identity
