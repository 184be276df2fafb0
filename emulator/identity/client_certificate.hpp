#pragma once

// A certificate registered for a client: its RSA public key and the SHA-1 / SHA-256 thumbprints
// that client assertions name in x5t / x5t#S256 (base64url) or kid (hex SHA-1).

#include <caf/expected.hpp>
#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

namespace bulkd::emulator::identity {

class client_certificate {
public:
  /// The first certificate of a PEM text; its key must be RSA.
  static caf::expected<client_certificate> from_pem(std::string_view pem);

  EVP_PKEY* public_key() const { return key_.get(); }

  /// Raw digests of the DER encoding.
  const std::string& sha1() const { return sha1_; }
  const std::string& sha256() const { return sha256_; }

  /// The SHA-1 thumbprint as uppercase hex, as Azure shows it.
  std::string thumbprint_hex() const;

private:
  std::shared_ptr<EVP_PKEY> key_;
  std::string sha1_;
  std::string sha256_;
};

} // namespace bulkd::emulator::identity
