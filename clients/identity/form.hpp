#pragma once

// application/x-www-form-urlencoded bodies and query strings of token requests.

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulkd::identity {

using form_fields = std::vector<std::pair<std::string, std::string>>;

/// Percent-encodes everything but A-Z a-z 0-9 - . _ ~ (uppercase hex), so the result is valid
/// both as a form body and as a URL query.
std::string percent_encode(std::string_view text);

/// "name=value&name=value" with both sides percent-encoded.
std::string form_encode(const form_fields& fields);

/// Decodes one name or value of form data: '+' is a space, %XX escapes. ec::parse_error on a
/// truncated or invalid escape.
caf::expected<std::string> form_decode_component(std::string_view text);

/// Decodes form data: '&'-separated pairs, '+' is a space, %XX escapes. ec::parse_error on a broken
/// escape or a pair without '='.
caf::expected<form_fields> form_decode(std::string_view body);

} // namespace bulkd::identity
