#pragma once

// Absolute http(s) URLs, split into what an HTTP client needs: origin and request target.

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bulkd {

struct url {
  std::string scheme; // "http" or "https", lower case
  std::string host;   // lower case; an IPv6 address without brackets
  uint16_t port = 0;  // explicit, or 80 / 443 by scheme
  std::string target; // path and query, "/" when the URL has none; no fragment

  /// "scheme://host:port", always with the port; IPv6 hosts in brackets.
  std::string origin() const;
  /// "host:port"; IPv6 hosts in brackets.
  std::string host_port() const;

  friend bool operator==(const url&, const url&) = default;
};

/// Parses an absolute http or https URL. Errors are ec::invalid_argument and quote the input
/// unless `quote_input` is false (a URL from a config may carry a secret, e.g. in its query).
caf::expected<url> parse_url(std::string_view text, bool quote_input = true);

/// Parses an origin: a URL without path (a single trailing "/" is allowed) and without query.
caf::expected<url> parse_origin(std::string_view text);

} // namespace bulkd
