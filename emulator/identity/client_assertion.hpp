#pragma once

// Verification of a client_assertion (RFC 7523 client authentication) as the client-certificate
// flow sends it: a JWT signed RS256 (or PS256) with the certificate's key, naming the certificate
// in its header by x5t (base64url SHA-1), x5t#S256 (base64url SHA-256) or kid (hex SHA-1), with
// aud = the token endpoint URL, iss = sub = the client id, and exp (nbf optional).

#include "emulator/identity/client_certificate.hpp"
#include "emulator/identity/jwt.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::emulator::identity {

struct assertion_check {
  jwt_fault fault = jwt_fault::none;
  std::string detail;
  std::string thumbprint; // hex SHA-1 of the certificate named in the header, when one was named

  explicit operator bool() const { return fault == jwt_fault::none; }
};

/// `token_endpoints` are the URLs the assertion may be addressed to (compared without a trailing
/// slash and ignoring ASCII case); `skew_seconds` applies to exp and nbf.
assertion_check verify_client_assertion(std::string_view assertion, std::string_view client_id,
                                        const std::vector<client_certificate>& certificates,
                                        const std::vector<std::string>& token_endpoints,
                                        int64_t now, int64_t skew_seconds = 60);

} // namespace bulkd::emulator::identity
