#pragma once

// Percent-encoding for Authorization headers and request path segments.

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd::cosmos {

/// Like JavaScript's encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) is escaped,
/// with uppercase hex digits.
std::string url_encode_component(std::string_view text);

/// Decodes %XX escapes (hex digits in either case). A '+' stays a '+': base64 signatures and
/// tokens that some clients send unencoded contain '+', and no Cosmos header value has spaces.
caf::expected<std::string> url_decode(std::string_view text);

} // namespace bulkd::cosmos
