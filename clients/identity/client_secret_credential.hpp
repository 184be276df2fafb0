#pragma once

// Client secret (reference §2.4):
//   POST {authority}/{tenant}/oauth2/v2.0/token
//   Content-Type: application/x-www-form-urlencoded
//   grant_type=client_credentials&client_id=…&client_secret=…&scope=https%3A%2F%2Fvault.azure.net%2F.default

#include "clients/identity/authority.hpp"
#include "clients/identity/credential.hpp"

#include <string>
#include <vector>

namespace bulkd::identity {

struct client_secret_options {
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;
  std::string authority_host; // empty = default_authority_host
  /// Tenants a challenge may switch to ("*" = any); see resolve_tenant().
  std::vector<std::string> additionally_allowed_tenants;
};

/// ec::invalid_argument for a missing tenant, client id or secret, or a bad authority host (the
/// message never holds the secret).
caf::expected<credential_ptr> make_client_secret_credential(client_secret_options options);

} // namespace bulkd::identity
