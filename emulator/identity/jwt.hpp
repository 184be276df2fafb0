#pragma once

// Compact JWS (RFC 7515) as AAD tokens and client assertions use it: three base64url segments,
// RS256 or PS256 signatures with an RSA key.

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>
#include <openssl/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulkd::emulator::identity {

struct jwt {
  nlohmann::json header;
  nlohmann::json payload;
  std::string signing_input; // "<header>.<payload>" exactly as received
  std::string signature;     // raw bytes
};

/// Why a token or assertion was refused.
enum class jwt_fault : uint8_t {
  none,
  malformed,      // not a compact JWS with JSON objects, or a required claim is missing
  unknown_key,    // signed with a key (kid, x5t) we do not know
  bad_signature,  // the signature does not verify, or the algorithm is not allowed
  expired,        // exp is past (beyond the allowed skew)
  not_yet_valid,  // nbf is in the future (beyond the allowed skew)
  wrong_audience, // aud is not one we accept
  wrong_issuer,   // iss (or sub) is not who it must be
};

const char* to_string(jwt_fault fault);

/// Splits and decodes a compact JWS. Errors (parse_error) say which part is wrong.
caf::expected<jwt> parse_jwt(std::string_view compact);

/// Signs header + payload with `key` (RSA, private) using the header's "alg" (RS256 or PS256).
caf::expected<std::string> sign_jwt(const nlohmann::json& header, const nlohmann::json& payload,
                                    EVP_PKEY* key);

/// True if the signature verifies with `key` under the header's alg (RS256 or PS256 only).
bool verify_jwt_signature(const jwt& token, EVP_PKEY* key);

/// Integer claim `name` (NumericDate) if present and an integer.
std::optional<int64_t> numeric_claim(const nlohmann::json& payload, const char* name);

} // namespace bulkd::emulator::identity
