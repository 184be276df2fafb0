#include "clients/cosmos/connection_string.hpp"

#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/http_headers.hpp"
#include "clients/url.hpp"

namespace bulkd::cosmos {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

caf::error bad(std::string why) {
  return make_error(ec::invalid_argument, "invalid connection string: " + std::move(why));
}

} // namespace

caf::expected<connection_string> parse_connection_string(std::string_view text) {
  connection_string out;
  bool have_endpoint = false;
  bool have_key = false;
  size_t index = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find(';', pos);
    if (end == std::string_view::npos)
      end = text.size();
    auto part = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++index;
    if (part.empty())
      continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return bad("part " + std::to_string(index) + " is not of the form Name=value");
    auto name = trim(part.substr(0, eq));
    // A key may end in '=' padding: everything after the first '=' is the value.
    auto value = trim(part.substr(eq + 1));
    if (iequals(name, "AccountEndpoint")) {
      if (have_endpoint)
        return bad("AccountEndpoint appears twice");
      have_endpoint = true;
      out.endpoint = std::string{value};
    } else if (iequals(name, "AccountKey")) {
      if (have_key)
        return bad("AccountKey appears twice");
      have_key = true;
      out.key = std::string{value};
    }
  }
  if (!have_endpoint)
    return bad("no AccountEndpoint=");
  if (!have_key)
    return bad("no AccountKey=");
  if (out.endpoint.empty())
    return bad("AccountEndpoint is empty");
  if (out.key.empty())
    return bad("AccountKey is empty");
  if (auto origin = parse_origin(out.endpoint); !origin)
    return bad("AccountEndpoint is not an http(s) URL without path: " +
               error_message(origin.error()));
  if (!parse_master_key(out.key))
    return bad("AccountKey is not valid base64");
  return out;
}

} // namespace bulkd::cosmos
