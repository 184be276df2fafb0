#pragma once

// One run of a key-backup job: the supervisor of its per-key workers. Spawned detached (it
// creates the set directory, writes manifest.json and applies retention: fsync and unlink). In
// order:
//   1. creates the backup set (backup_set_writer) under destination.path;
//   2. lists the vault's keys page by page (following nextLink through empty pages), the first
//      request teaching the vault's challenge (scope and tenant) to kv_caller; selects keys by
//      keys.include / keys.exclude globs and keys.tags; records managed keys (they back a
//      certificate, the service refuses to back them up) as skipped with a logged reason; the
//      next page is asked for only when fewer than workers + 25 keys wait, so memory does not
//      grow with the number of keys;
//   3. runs one key_backup_worker per selected key, at most concurrency.workers at a time; a
//      worker lists the key's versions, reads the key (type, current kid), asks for its backup
//      (one blob with every version), hands the blob to one of a few detached writer actors
//      (write_key_file: atomic, encrypted when a key is configured), reports a key_outcome and
//      quits, so no blob stays in memory once written;
//   4. records every outcome, writes manifest.json last (finish) and applies retention.keep_last.
// A listing failure fails the run without a manifest (the set stays incomplete, retention ignores
// it). An exit message (SIGTERM) stops the workers and ends the run the same way ("interrupted").

#include "actors/key_backup/kv_caller.hpp"
#include "jobs/key_backup_spec.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bulkd {

struct key_backup_result {
  std::string job;
  bool ok = false;     // the set is complete and no key failed
  std::string error;   // why the run failed as a whole; empty when it finished
  std::string set_dir; // the set written (incomplete when error is set)
  size_t listed = 0;   // keys the vault listed
  size_t selected = 0; // of those, matching include/exclude/tags
  size_t backed_up = 0;
  size_t skipped = 0; // managed, or deleted while the run went on
  size_t failed = 0;
  std::vector<std::string> failures; // "name: error"
  size_t retention_removed = 0;
  std::vector<std::string> retention_errors;
  /// Older sets without a valid manifest (killed runs): never counted or deleted by retention,
  /// reported so that they do not pile up unseen. "<dir>: <why>".
  std::vector<std::string> retention_incomplete;
  uint64_t requests_retried = 0;
  uint64_t throttles = 0;
  double seconds = 0;
};

struct key_backup_job_config {
  std::string name;
  key_backup_spec spec; // destination.path resolved
  std::string vault_url;
  kv_env env;
  /// Called once, from the job's thread, before it quits.
  std::function<void(const key_backup_result&)> on_done;
  /// Detached actors writing key files (fsync) in parallel.
  size_t writers = 4;
};

caf::actor spawn_key_backup_job(caf::actor_system& sys, key_backup_job_config config);

} // namespace bulkd
