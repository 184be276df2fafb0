#pragma once

// The credential of a vault (bulkd.yaml `vaults: NAME: credential:`) as a clients/identity
// credential.

#include "clients/identity/credential.hpp"
#include "jobs/daemon_config.hpp"

#include <caf/expected.hpp>

#include <string>

namespace bulkd {

/// Builds the credential; `reason` (optional) receives how `default` chose one, for the log.
/// Relative certificate paths are taken against the config file's directory.
caf::expected<identity::credential_ptr> make_vault_credential(const credential_spec& spec,
                                                              const daemon_config& config,
                                                              std::string* reason = nullptr);

} // namespace bulkd
