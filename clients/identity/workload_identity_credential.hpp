#pragma once

// Workload identity (AKS federated credentials, reference §2.4): the client-certificate grant, but
// client_assertion is the content of AZURE_FEDERATED_TOKEN_FILE, read again for every token
// request because the kubelet rotates the file.

#include "clients/identity/authority.hpp"
#include "clients/identity/credential.hpp"
#include "clients/identity/environment.hpp"

#include <string>
#include <vector>

namespace bulkd::identity {

struct workload_identity_options {
  std::string tenant_id;
  std::string client_id;
  std::string token_file;
  std::string authority_host; // empty = default_authority_host
  std::vector<std::string> additionally_allowed_tenants;
};

caf::expected<credential_ptr> make_workload_identity_credential(workload_identity_options options);

/// From AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST;
/// values set in `options` win. ec::invalid_argument names the missing variables.
caf::expected<credential_ptr>
workload_identity_from_environment(const environment& env, workload_identity_options options = {});

} // namespace bulkd::identity
