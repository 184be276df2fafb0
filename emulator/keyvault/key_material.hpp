#pragma once

// The key material of one Key Vault key version: RSA (2048/3072/4096), EC (P-256, P-384, P-521,
// P-256K) or oct (AES 128/192/256), generated with OpenSSL or imported from a JSON Web Key, and
// exported as JWK (RFC 7517/7518: base64url without padding, RSA integers without leading zero
// bytes, EC coordinates and d at the full size of the curve).
//
// "-HSM" key types (RSA-HSM, EC-HSM, oct-HSM) are software keys here, like in other local
// emulators; the flag only changes the reported kty.

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>
#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::emulator::keyvault {

enum class key_family : uint8_t { rsa, ec, oct };

struct key_type {
  key_family family = key_family::rsa;
  bool hsm = false;
  friend bool operator==(const key_type&, const key_type&) = default;
};

/// Parses "RSA", "RSA-HSM", "EC", "EC-HSM", "oct", "oct-HSM" (case-sensitive, as Azure's enum).
caf::expected<key_type> parse_kty(std::string_view kty);

std::string to_string(key_type type);

/// What POST /keys/{name}/create asks for. Unset sizes take the defaults: RSA 2048, oct 256,
/// EC P-256 (a key_size of 256/384/521 selects the matching NIST curve when crv is absent).
struct key_options {
  std::string kty;
  std::optional<int64_t> key_size;
  std::optional<std::string> curve;
  std::optional<int64_t> public_exponent;
};

/// The key operation names Azure accepts in key_ops.
bool is_known_key_op(std::string_view op);

class key_material {
public:
  static caf::expected<key_material> generate(const key_options& options);

  /// Imports a JWK object: RSA needs n and e (plus d, p, q, dp, dq, qi for a private key), EC
  /// needs crv, x and y (plus d), oct needs k. Private parts are checked against the public ones.
  static caf::expected<key_material> from_jwk(const nlohmann::json& jwk);

  key_family family() const { return type_.family; }
  bool hsm() const { return type_.hsm; }
  key_type type() const { return type_; }
  std::string kty() const { return to_string(type_); }

  /// A copy reporting the -HSM variant of its key type, or not (KeyImportParameters' "Hsm").
  key_material with_hsm(bool hsm) const;

  /// Modulus bits (RSA), key bits (oct) or field bits of the curve (EC: 256, 384, 521).
  int key_size() const;

  /// "P-256", "P-384", "P-521" or "P-256K" for EC keys, empty otherwise.
  const std::string& curve() const { return curve_; }

  bool has_private() const { return has_private_; }

  /// kty and the public parts (n, e / crv, x, y). oct keys expose no material: {"kty": "oct"}.
  nlohmann::json public_jwk() const;

  /// Everything, including d, p, q, dp, dq, qi / d / k. For backups only, never for responses.
  nlohmann::json private_jwk() const;

  /// The OpenSSL key for RSA and EC (nullptr for oct).
  EVP_PKEY* pkey() const { return pkey_.get(); }

  /// The raw secret of an oct key (empty otherwise).
  const std::string& secret() const { return secret_; }

  /// key_ops when a create request gives none: RSA encrypt, decrypt, sign, verify, wrapKey,
  /// unwrapKey (what the service returns for the spec's create example); EC sign, verify;
  /// oct encrypt, decrypt, wrapKey, unwrapKey.
  std::vector<std::string> default_key_ops() const;

private:
  key_type type_;
  std::shared_ptr<EVP_PKEY> pkey_;
  std::string secret_;
  std::string curve_;
  bool has_private_ = false;
};

} // namespace bulkd::emulator::keyvault
