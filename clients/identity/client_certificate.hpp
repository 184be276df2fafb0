#pragma once

// A client certificate with its RSA private key (PEM), and the client assertion it signs (RFC 7523,
// reference §2.4): a JWT RS256 with header {"alg":"RS256","typ":"JWT","x5t":…,"x5t#S256":…} and
// claims {"aud": token endpoint, "iss": client id, "sub": client id, "jti": uuid, "nbf": now,
// "exp": now + 10 min}.

#include "clients/identity/token.hpp"

#include <caf/expected.hpp>
#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

namespace bulkd::identity {

/// How long an assertion is valid.
inline constexpr std::chrono::seconds assertion_lifetime{600};

class client_certificate {
public:
  /// One PEM text holding the certificate and its unencrypted private key (any order).
  static caf::expected<client_certificate> from_pem(std::string_view pem);

  /// The certificate and the key in separate PEM texts.
  static caf::expected<client_certificate> from_pem(std::string_view cert_pem,
                                                    std::string_view key_pem);

  /// Reads a PEM file with both (AZURE_CLIENT_CERTIFICATE_PATH's format). Messages name the path,
  /// never the content.
  static caf::expected<client_certificate> load(const std::string& path);

  /// base64url of the SHA-1 / SHA-256 digest of the DER certificate.
  std::string x5t() const;
  std::string x5t_s256() const;
  /// Uppercase hex SHA-1, as the Azure portal shows it.
  std::string thumbprint() const;
  const std::string& der() const { return der_; }

  /// RSASSA-PKCS1-v1_5 with SHA-256 over `input`.
  caf::expected<std::string> sign_rs256(std::string_view input) const;

  /// The compact JWT client assertion.
  caf::expected<std::string> make_assertion(std::string_view audience, std::string_view client_id,
                                            seconds_clock_time now) const;

private:
  client_certificate() = default;

  std::shared_ptr<EVP_PKEY> key_;
  std::string der_;
  std::string sha1_;
  std::string sha256_;
};

/// A random UUID (version 4), lowercase, for jti.
std::string random_uuid();

} // namespace bulkd::identity
