#pragma once

// base64url without padding (RFC 4648 §5, RFC 7515 §2): JWK fields, JWT segments and the
// Key Vault backup `value`. Bytes travel in std::string.

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd {

std::string base64url_encode(std::string_view bytes);

/// Strict decoding: only A-Z a-z 0-9 - _, no '=' padding, no whitespace, no length of 4n+1, and
/// the unused low bits of the last character must be zero (so every text has one decoding and a
/// changed signature character can never decode to the same bytes).
caf::expected<std::string> base64url_decode(std::string_view text);

} // namespace bulkd
