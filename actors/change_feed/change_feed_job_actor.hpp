#pragma once

// One run of a change-feed job in one instance: the lease manager and supervisor of its range
// readers (actors/change_feed/range_reader_actor.hpp), its sink and its lease store. Spawned
// detached (it writes the dead-letter file itself). In order:
//   1. opens the source container and reads its ranges, spawns the lease store and the sink,
//      and creates a lease for every range no lease covers yet (recording start_from);
//   2. every acquire_interval lists the leases and carries out balance_leases(): takes free and
//      expired leases (a reader starts at once, from the lease's continuation), steals at most
//      one (its reader starts only fencing_interval() later), releases leases beyond its share
//      (reader stopped first); a lease it holds in the store but not in memory (a restart under
//      the same instance name) is taken back at once;
//   3. renews its leases every renew_interval; a reader whose lease was not confirmed for
//      fencing_interval(), or whose renew or checkpoint found the lease owned by someone else,
//      is stopped (lost lease) before anyone else may start on the range;
//   4. stores each checkpoint a reader reports in the lease, then answers it (at-least-once);
//      dead-letters a batch the sink gave up on (on_failure: dead-letter; the line is fsynced
//      before the reader may checkpoint past it) or fails the run (on_failure: stop);
//   5. on a split (410/1002, 1007) reads the ranges again, replaces the parent's lease by the
//      children's, each continuing from the parent's continuation, and starts their readers;
//   6. restarts a reader that failed (backoff; up to retry.max_attempts times in a row without
//      a checkpoint in between), else fails the run.
// An exit message stops the readers (a batch the sink has not acked is not checkpointed),
// releases the leases, hands the report to on_done and quits. With until_caught_up it does the
// same by itself once it owns every lease and every range is read to its end.
//
//   (feed_status_atom) -> feed_report   the counts and lags so far

#include "actors/http_pool.hpp"
#include "jobs/change_feed/feed_report.hpp"
#include "jobs/change_feed_spec.hpp"
#include "jobs/daemon_config.hpp"

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace bulkd {

using feed_status_atom = caf::atom_constant<caf::atom("cf_status")>;

struct change_feed_job_config {
  std::string name;
  change_feed_spec spec;
  account_config account;                     // the source's
  std::optional<account_config> lease_account; // leases.store cosmos
  std::optional<account_config> sink_account;  // sink type cosmos
  std::string lease_file;                      // leases.store file: lease_file_path(state, job)
  std::string dead_letter_file;                // resolved path
  std::string instance;                        // the owner name in leases (never empty)
  http_pool_actor pool;
  bool until_caught_up = false;
  /// How often the job looks at timers (renew, acquire, fencing, caught up, lag).
  std::chrono::milliseconds tick = std::chrono::milliseconds{100};
  /// Called once, from the job's thread, with the final report before it quits.
  std::function<void(const feed_report&)> on_done;
};

/// Spawns the job (detached); it starts at once.
caf::actor spawn_change_feed_job(caf::actor_system& sys, change_feed_job_config config);

} // namespace bulkd
