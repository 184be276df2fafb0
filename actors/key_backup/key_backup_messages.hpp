#pragma once

// The messages between the actors of one key-backup or key-restore run (local, never
// serialized):
//
//   worker -> writer   (write_key_atom, key_info, blob) -> manifest_key   stores the file
//   worker -> job      fetched_atom                                      the blob is fetched: the
//                                                                        job frees the slot
//   worker -> job      key_outcome                                       then the worker quits
//   job    -> itself   (kv_retry_atom, id)                               kv_caller's timers

#include "jobs/key_backup/manifest.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <cstdint>
#include <string>

namespace bulkd {

using write_key_atom = caf::atom_constant<caf::atom("kb_write")>;
using fetched_atom = caf::atom_constant<caf::atom("kb_fetched")>;

/// What became of one key in a backup or restore run.
struct key_outcome {
  enum kind_t { stored, skipped, failed } kind = failed;
  std::string name;
  key_backup::manifest_key entry; // backup, stored: its manifest entry
  std::string detail;             // skipped: why; failed: the error; restore, stored: the kid
  uint64_t retries = 0;
  uint64_t throttles = 0;
};

} // namespace bulkd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::key_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::key_backup::key_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::key_backup::manifest_key)
