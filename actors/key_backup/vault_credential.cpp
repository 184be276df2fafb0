#include "actors/key_backup/vault_credential.hpp"

#include "clients/identity/client_certificate_credential.hpp"
#include "clients/identity/client_secret_credential.hpp"
#include "clients/identity/default_credential.hpp"
#include "clients/identity/environment.hpp"
#include "clients/identity/managed_identity_credential.hpp"
#include "clients/identity/workload_identity_credential.hpp"

namespace bulkd {

caf::expected<identity::credential_ptr> make_vault_credential(const credential_spec& spec,
                                                              const daemon_config& config,
                                                              std::string* reason) {
  auto env = identity::environment::process();
  // The spec always holds an authority; only a non-default one overrides AZURE_AUTHORITY_HOST.
  auto authority =
      spec.authority_host == default_authority_host ? std::string{} : spec.authority_host;
  switch (spec.type) {
  case credential_type::client_secret:
    return identity::make_client_secret_credential(
        {spec.tenant_id, spec.client_id, spec.client_secret.reveal(), spec.authority_host, {}});
  case credential_type::client_certificate:
    return identity::make_client_certificate_credential(
        {spec.tenant_id, spec.client_id, spec.authority_host, {}},
        config.resolve_path(spec.certificate_file));
  case credential_type::managed_identity:
    return identity::managed_identity_from_environment(env, spec.client_id);
  case credential_type::workload_identity:
    return identity::workload_identity_from_environment(
        env, {spec.tenant_id, spec.client_id, {}, authority, {}});
  case credential_type::default_chain: {
    identity::default_credential_options opts;
    opts.managed_identity_client_id = spec.client_id;
    auto choice = identity::select_default_credential(env, opts);
    if (!choice)
      return choice.error();
    if (reason != nullptr)
      *reason = choice->reason;
    return choice->credential;
  }
  }
  return identity::credential_ptr{};
}

} // namespace bulkd
