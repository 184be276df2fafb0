#pragma once

// Answers of token endpoints: AAD's {"token_type", "expires_in", "access_token", ...}, IMDS's and
// App Service's (numbers as strings, expires_on), and their errors: AAD's {"error",
// "error_description", "error_codes"}, App Service's {"statusCode", "message"}.

#include "clients/http_request.hpp"
#include "clients/http_response.hpp"
#include "clients/identity/token.hpp"

#include <caf/expected.hpp>

#include <string_view>

namespace bulkd::identity {

/// Parses the answer to `sent`. `who` names the credential in messages ("client secret
/// credential"). Any secret the request carried (client_secret, client_assertion, the identity
/// header) is replaced by "[redacted]" should the service echo it. Errors: 400/401/403 →
/// ec::unauthorized, 429 → ec::overloaded, other statuses → ec::http_error, a bad 200 body →
/// ec::parse_error.
caf::expected<token> parse_token_response(std::string_view who, const http_request& sent,
                                          const http_response& resp, seconds_clock_time now);

} // namespace bulkd::identity
