#pragma once

// Writes a bulk-upsert job's checkpoint off the job's thread: each write fsyncs the dead-letter
// file (when asked), then replaces the checkpoint atomically (write, fsync, rename, fsync of the
// directory), so the job keeps settling records while the disk works. Spawned detached (it
// blocks in fsync).
//
//   (checkpoint_write) -> ok_atom | error   answered once the checkpoint is on disk
//
// The job keeps at most one write under way and coalesces the rest: while one is in progress it
// only remembers that the watermark moved, and sends the newest state once the answer comes.
// Dead letters appended before a state was taken are therefore synced before that state (which
// may cover them) is written.

#include "jobs/bulk_upsert/bulk_checkpoint.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include <filesystem>
#include <memory>

namespace bulkd {

class dead_letter_writer;

struct checkpoint_write {
  bulk_checkpoint checkpoint;
  bool sync_dead_letters = false;
};

struct checkpoint_writer_config {
  std::filesystem::path file;
  /// Shared with the job, which appends; the writer only fsyncs its descriptor.
  std::shared_ptr<dead_letter_writer> dead_letters;
};

/// Spawns the writer detached; it quits on any exit message (the job sends one when it ends).
caf::actor spawn_checkpoint_writer(caf::local_actor* parent, checkpoint_writer_config config);

} // namespace bulkd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::checkpoint_write)
