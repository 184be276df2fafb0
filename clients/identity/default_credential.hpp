#pragma once

// The `default` credential: like DefaultAzureCredential without the developer tools, the first
// that the environment configures of
//   1. environment: AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET (preferred) or
//      AZURE_CLIENT_CERTIFICATE_PATH (PEM with certificate and key)
//   2. workload identity: AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_FEDERATED_TOKEN_FILE
//   3. managed identity: App Service (IDENTITY_ENDPOINT + IDENTITY_HEADER) or IMDS, with
//      AZURE_CLIENT_ID as the user-assigned identity
// AZURE_AUTHORITY_HOST applies to 1 and 2. The choice is made once, from the environment alone
// (no probing requests), and explained in `reason` for the log.

#include "clients/identity/credential.hpp"
#include "clients/identity/environment.hpp"

#include <string>
#include <vector>

namespace bulkd::identity {

struct default_credential_options {
  /// Overrides AZURE_CLIENT_ID for managed identity.
  std::string managed_identity_client_id;
  /// Overrides the managed identity token URL (the emulator's).
  std::string managed_identity_endpoint;
  std::vector<std::string> additionally_allowed_tenants;
};

struct credential_choice {
  credential_ptr credential;
  std::string reason; // "AZURE_CLIENT_SECRET is set: client-secret (tenant …, client …)"
};

/// An error only when the chosen credential cannot be built (e.g. an unreadable certificate
/// file): a configured but broken credential is not silently skipped.
caf::expected<credential_choice>
select_default_credential(const environment& env, const default_credential_options& options = {});

} // namespace bulkd::identity
