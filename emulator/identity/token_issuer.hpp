#pragma once

// Access tokens of the emulator's identity endpoint: RS256 JWTs signed with the instance's RSA
// key, shaped like AAD app-only tokens (iss, aud, tid, appid, azp, oid, sub, iat, nbf, exp,
// idtyp "app"), and their verification by the Key Vault routes.

#include "emulator/identity/jwt.hpp"
#include "emulator/keyvault/key_material.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::emulator::identity {

struct token_issuer_config {
  /// Scheme, host and port of the identity endpoint, e.g. "https://127.0.0.1:8443" (a trailing
  /// slash is dropped).
  std::string authority;
  int64_t lifetime_seconds = 3600;
  /// Clock skew tolerated for exp and nbf.
  int64_t skew_seconds = 60;
};

struct issued_token {
  std::string access_token;
  std::string audience;
  int64_t expires_in = 0;
  int64_t expires_on = 0;
};

struct token_claims {
  std::string issuer;
  std::string audience;
  std::string tenant;
  std::string client_id;
  std::string object_id;
  int64_t issued_at = 0;
  int64_t not_before = 0;
  int64_t expires = 0;
};

struct token_check {
  jwt_fault fault = jwt_fault::none;
  std::string detail; // for logs and error_description; empty when valid
  token_claims claims;

  explicit operator bool() const { return fault == jwt_fault::none; }
};

/// The audience a scope asks for: "https://vault.azure.net/.default" -> "https://vault.azure.net".
/// A scope without "/.default" is returned as it is (a managed identity's resource).
std::string audience_of_scope(std::string_view scope);

/// A stable object id for an app in a tenant (formatted like a GUID, derived with SHA-256).
std::string object_id_for(std::string_view tenant, std::string_view client_id);

/// RFC 7638 thumbprint (base64url SHA-256) of an RSA public JWK with "n" and "e".
std::string rsa_jwk_thumbprint(const nlohmann::json& public_jwk);

/// Immutable after make(); issue and verify may run concurrently.
class token_issuer {
public:
  /// `signing_key` must be an RSA key (2048+ bits) with its private part.
  static caf::expected<token_issuer> make(keyvault::key_material signing_key,
                                          token_issuer_config config);

  /// "<authority>/<tenant>/v2.0", the issuer in tokens and in the OpenID configuration.
  std::string issuer_for(std::string_view tenant) const;

  /// "<authority>/<tenant>/oauth2/v2.0/token".
  std::string token_endpoint_for(std::string_view tenant) const;

  /// The document MSAL fetches from GET /<tenant>/v2.0/.well-known/openid-configuration: it needs
  /// token_endpoint, issuer, authorization_endpoint and jwks_uri.
  nlohmann::json openid_configuration(std::string_view tenant) const;

  /// The kid in token headers: the RFC 7638 JWK thumbprint of the signing key.
  const std::string& key_id() const { return key_id_; }

  /// {"keys": [{"kty", "use": "sig", "kid", "alg": "RS256", "n", "e"}]} for a jwks_uri.
  nlohmann::json jwks() const;

  caf::expected<issued_token> issue(std::string_view tenant, std::string_view client_id,
                                    std::string_view audience, int64_t now) const;

  /// Checks signature, issuer, audience (one of `audiences`, compared without a trailing slash
  /// and ignoring ASCII case), exp and nbf (both with the configured skew).
  token_check verify(std::string_view token, const std::vector<std::string>& audiences,
                     int64_t now) const;

private:
  token_issuer() = default;

  keyvault::key_material key_;
  token_issuer_config config_;
  std::string key_id_;
};

} // namespace bulkd::emulator::identity
