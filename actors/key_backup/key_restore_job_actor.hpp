#pragma once

// One restore of keys from a backup set into a vault, through the same machinery as a backup:
// kv_caller (challenge, tokens, 429 / transient retries) and one worker per key, at most
// `workers` at a time. The job first sends GET /keys?maxresults=1 to learn the vault's challenge,
// then each worker reads its key's blob (size and SHA-256 checked against the manifest, decrypted
// when the set is encrypted) and sends POST /keys/restore. 409 (a key of that name exists, or is
// deleted but not purged) is "skipped" with skip_existing, else "failed".

#include "actors/key_backup/key_backup_messages.hpp"
#include "actors/key_backup/kv_caller.hpp"
#include "jobs/key_backup/backup_set_reader.hpp"
#include "jobs/key_backup/encryption_key.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bulkd {

struct key_restore_result {
  bool ok = false;               // every key restored or skipped
  std::string error;             // why the run failed as a whole
  std::vector<key_outcome> keys; // stored = restored (detail: the restored kid)
  size_t restored = 0;
  size_t skipped = 0;
  size_t failed = 0;
  uint64_t requests_retried = 0;
  uint64_t throttles = 0;
  double seconds = 0;
};

struct key_restore_job_config {
  std::shared_ptr<const key_backup::backup_set> set;
  std::vector<key_backup::manifest_key> entries;         // the keys to restore
  std::shared_ptr<const key_backup::encryption_key> key; // for encrypted sets
  bool skip_existing = false;
  uint32_t workers = 8;
  kv_env env;
  std::function<void(const key_restore_result&)> on_done;
};

caf::actor spawn_key_restore_job(caf::actor_system& sys, key_restore_job_config config);

} // namespace bulkd
