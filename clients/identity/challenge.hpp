#pragma once

// The WWW-Authenticate challenge of a 401 from Key Vault (reference §2.1–2.3):
//   Bearer authorization="https://login.microsoftonline.com/<tenant>",
//   resource="https://vault.azure.net"
// or with authorization_uri instead of authorization and scope="…/.default" instead of resource.
// Only the tenant is taken from the authorization URL: tokens are always requested from the
// configured authority host, so a forged challenge cannot make the daemon send a secret elsewhere.

#include "clients/http_response.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulkd::identity {

struct auth_challenge {
  std::string scheme; // as sent, e.g. "Bearer"
  /// Parameter names lowercased, values unquoted; a token68 (Basic's credentials) has name "".
  std::vector<std::pair<std::string, std::string>> params;

  /// The value of a parameter (name compared case-insensitively), or empty.
  std::string param(std::string_view name) const;
};

/// Splits a WWW-Authenticate value into challenges (RFC 9110 §11.6.1): comma-separated, values as
/// tokens or quoted strings with backslash escapes; parameters separated by whitespace alone are
/// accepted too. ec::parse_error on unterminated quotes, missing values or repeated parameters.
caf::expected<std::vector<auth_challenge>> parse_www_authenticate(std::string_view header);

struct bearer_challenge {
  std::string authorization; // the authorization (or authorization_uri) URL as sent
  std::string tenant;        // its first path segment
  std::string resource;      // as sent; empty when the challenge named a scope instead
  std::string scope;         // resource without trailing '/' + "/.default", or the scope param
  std::string error;         // e.g. "insufficient_claims" (continuous access evaluation)
  std::string claims;        // base64 claims that go with that error

  friend bool operator==(const bearer_challenge&, const bearer_challenge&) = default;
};

/// The Bearer challenge of a WWW-Authenticate value, with tenant and scope. ec::parse_error when
/// there is no Bearer challenge, no authorization URL with a tenant, or neither resource nor scope.
caf::expected<bearer_challenge> parse_bearer_challenge(std::string_view header);

/// The Bearer challenge of a 401 answer's WWW-Authenticate header(s). ec::parse_error when the
/// answer is not a 401 or has no usable challenge.
caf::expected<bearer_challenge> challenge_of(const http_response& resp);

/// The scope must belong to the vault: the vault's host equals the scope's host or ends with
/// "." + it (x.vault.azure.net for https://vault.azure.net). ec::unauthorized otherwise, so no
/// token for another service is ever requested for this vault.
caf::error verify_challenge_scope(const bearer_challenge& challenge, std::string_view vault_host);

} // namespace bulkd::identity
