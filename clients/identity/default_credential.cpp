#include "clients/identity/default_credential.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/identity/client_certificate_credential.hpp"
#include "clients/identity/client_secret_credential.hpp"
#include "clients/identity/managed_identity_credential.hpp"
#include "clients/identity/workload_identity_credential.hpp"

namespace bulkd::identity {

namespace {

caf::expected<credential_choice> chosen(caf::expected<credential_ptr> cred, std::string why) {
  if (!cred)
    return make_error(static_cast<ec>(cred.error().code()),
                      "default credential (" + why + "): " + cosmos::error_message(cred.error()));
  auto reason = std::move(why) + ": " + (*cred)->describe();
  return credential_choice{std::move(*cred), std::move(reason)};
}

} // namespace

caf::expected<credential_choice>
select_default_credential(const environment& env, const default_credential_options& options) {
  auto tenant = env.get("AZURE_TENANT_ID");
  auto client = env.get("AZURE_CLIENT_ID");
  auto authority = env.get("AZURE_AUTHORITY_HOST");
  std::string skipped; // why earlier candidates did not apply
  bool has_ids = !tenant.empty() && !client.empty();
  auto missing_ids = [&] {
    std::string m;
    if (tenant.empty())
      m = "AZURE_TENANT_ID";
    if (client.empty())
      m += (m.empty() ? "" : " and ") + std::string{"AZURE_CLIENT_ID"};
    return m;
  };
  if (env.has("AZURE_CLIENT_SECRET") || env.has("AZURE_CLIENT_CERTIFICATE_PATH")) {
    if (has_ids && env.has("AZURE_CLIENT_SECRET"))
      return chosen(
          make_client_secret_credential({tenant, client, env.get("AZURE_CLIENT_SECRET"), authority,
                                         options.additionally_allowed_tenants}),
          "AZURE_CLIENT_SECRET is set");
    if (has_ids)
      return chosen(make_client_certificate_credential(
                        {tenant, client, authority, options.additionally_allowed_tenants},
                        env.get("AZURE_CLIENT_CERTIFICATE_PATH")),
                    "AZURE_CLIENT_CERTIFICATE_PATH is set");
    skipped = "environment credential skipped (" + missing_ids() + " not set); ";
  }
  if (env.has("AZURE_FEDERATED_TOKEN_FILE")) {
    if (has_ids)
      return chosen(workload_identity_from_environment(
                        env, {tenant, client, env.get("AZURE_FEDERATED_TOKEN_FILE"), authority,
                              options.additionally_allowed_tenants}),
                    skipped + "AZURE_FEDERATED_TOKEN_FILE is set");
    skipped += "workload identity skipped (" + missing_ids() + " not set); ";
  }
  auto mi_client =
      options.managed_identity_client_id.empty() ? client : options.managed_identity_client_id;
  auto why = env.has("IDENTITY_ENDPOINT") && env.has("IDENTITY_HEADER")
                 ? "IDENTITY_ENDPOINT and IDENTITY_HEADER are set"
                 : "no other credential is configured";
  return chosen(
      managed_identity_from_environment(env, mi_client, options.managed_identity_endpoint),
      skipped + why);
}

} // namespace bulkd::identity
