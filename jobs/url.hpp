#pragma once

// The http/https URLs of specs (account endpoints, vault URLs, authority hosts, http sinks).

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bulkd {

struct url {
  std::string scheme; // http or https, lower case
  std::string host;   // without brackets for IPv6
  uint16_t port = 0;  // explicit or the scheme's default
  std::string target; // path and query, at least "/"
};

/// Parses an absolute http(s) URL; the error says which part is wrong (scheme, host, port).
/// Errors quote the URL only when `echo` is set (a URL may carry credentials).
caf::expected<url> parse_url(std::string_view text, bool echo = true);

} // namespace bulkd
