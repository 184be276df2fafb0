#pragma once

// One-shot, blocking runs of the key jobs for `bulkd run` and `bulkd keys restore`: each spawns a
// token cache for the vault's credential and the job actor, waits for the job's result and stops
// what it spawned. The pool is the caller's (its workers bound the requests in flight).

#include "actors/http_pool.hpp"
#include "actors/key_backup/key_backup_job_actor.hpp"
#include "actors/key_backup/key_restore_job_actor.hpp"
#include "jobs/daemon_config.hpp"
#include "jobs/job_spec.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bulkd {

/// Runs a key-backup job once. `on_started` (optional) receives the job actor as soon as it runs,
/// e.g. to send it an exit message on SIGTERM (the result then says "interrupted" and the set has
/// no manifest). Errors before the job starts (not a key-backup job, unknown vault, bad
/// credential) come back in result.error.
key_backup_result run_key_backup(caf::actor_system& sys, const http_pool_actor& pool,
                                 const daemon_config& config, const job_spec& job,
                                 const std::function<void(const caf::actor&)>& on_started = {});

struct key_restore_request {
  std::string set_dir;
  std::string vault;             // a name from bulkd.yaml `vaults:`
  std::vector<std::string> keys; // only these; empty = every key of the set
  bool skip_existing = false;
  std::string encryption_key_file; // required for an encrypted set
  uint32_t workers = 8;
  retry_policy retry;
  std::string api_version = default_keyvault_api_version;
};

/// Restores keys from a backup set. The set is opened and checked first (manifest, and its mac
/// with the key for an encrypted set); unknown --key names are an error before anything is sent.
key_restore_result run_key_restore(caf::actor_system& sys, const http_pool_actor& pool,
                                   const daemon_config& config, const key_restore_request& request,
                                   const std::function<void(const caf::actor&)>& on_started = {});

} // namespace bulkd
