#pragma once

// The body of POST /{tenant}/oauth2/v2.0/token (application/x-www-form-urlencoded) for the
// client-credentials grant, with a client secret or a client assertion, and the JSON answers.
// Parameters other than the ones below (x-client-SKU, client_info, ...) are ignored.

#include "emulator/identity/aad_error.hpp"
#include "emulator/identity/token_issuer.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bulkd::emulator::identity {

inline constexpr std::string_view jwt_bearer_assertion_type =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct token_request {
  std::string grant_type;
  std::string client_id;
  std::string scope;
  std::string audience; // scope without "/.default"
  std::optional<std::string> client_secret;
  std::optional<std::string> client_assertion;
};

/// Decodes form data: '&'-separated pairs, '+' is a space, %XX escapes; nullopt when an escape is
/// broken.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body);

/// Parses and checks a token request; the aad_error is what to answer otherwise. Empty values
/// count as absent.
std::variant<token_request, aad_error> parse_token_request(std::string_view body);

/// {"token_type": "Bearer", "expires_in": N, "ext_expires_in": N, "access_token": "..."}
nlohmann::json token_response_json(const issued_token& token);

} // namespace bulkd::emulator::identity
