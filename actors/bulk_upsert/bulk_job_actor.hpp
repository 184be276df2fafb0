#pragma once

// One run of a bulk-upsert job: the supervisor of its reader and range workers, and the keeper of
// its ledger. Spawned detached, because it writes the dead-letter file and the checkpoint (fsync)
// itself. In order:
//   1. lists the input files and plans each with the checkpoint (skip finished and unchanged
//      files, resume the others at their settled offset; a checkpoint written with other reading
//      settings, reading_spec, refuses the run), opens the dead-letter file;
//   2. opens the container (create_if_missing) and its routing map, spawns one range worker per
//      physical range and the reader;
//   3. hands out every record position the reader reports and settles what the workers report
//      (written or dead-lettered) in a settled_watermark per file (the RU budget, rate_limit, is
//      shared out to the range workers, which keep it per request); refreshes the routing
//      map when workers hand back records of a gone range and re-routes them;
//   4. has the checkpoint written whenever a file's settled point moves, by a detached
//      checkpoint_writer (fsync off the job's thread; one write at a time, the newest state next;
//      dead letters synced first), so a rerun after kill -9 resends only what was in flight;
//      checkpoint_interval is a fallback. At the end it writes the last checkpoint itself, hands
//      the report to on_done and quits.
// An exit message (SIGTERM) stops the reading, drains what is in flight, writes the checkpoint and
// quits; the report then says "interrupted". A failing worker or reader fails the run (the
// checkpoint still covers exactly the settled records).
//
//   (progress_atom) -> bulk_report   the counts so far

#include "actors/http_pool.hpp"
#include "jobs/bulk_upsert/bulk_report.hpp"
#include "jobs/bulk_upsert_spec.hpp"
#include "jobs/daemon_config.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace bulkd {

struct bulk_job_config {
  std::string name;
  bulk_upsert_spec spec;
  account_config account;
  std::string checkpoint_file;  // <state_dir>/checkpoints/<job>.json
  std::string dead_letter_file; // resolved path
  http_pool_actor pool;
  /// Called once, from the job's thread, with the final report before it quits.
  std::function<void(const bulk_report&)> on_done;
  /// After an exit message: how long draining may take before the checkpoint is written anyway.
  std::chrono::milliseconds drain_timeout = std::chrono::seconds{30};
  /// Records per reader chunk.
  size_t chunk = 1000;
};

/// Spawns the job (detached); it starts at once.
caf::actor spawn_bulk_job(caf::actor_system& sys, bulk_job_config config);

} // namespace bulkd
