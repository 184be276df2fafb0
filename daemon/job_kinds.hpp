#pragma once

// How `bulkd serve` runs each job kind: a table from job_kind to a kind_runner. The job_runner
// calls `execute` on a thread of the run's own, which blocks until the run ended; `execute` hands
// the job actor to `on_started` as soon as it exists, so that cancel (an exit message with
// user_shutdown: the job drains, writes its checkpoint and ends "interrupted") and progress reach
// it.
//
// Adding a kind: write an execute function like execute_bulk_upsert in job_kinds.cpp (spawn the
// job, on_started(handle), wait for its on_done) and a progress function if the actor answers
// one, and put them into default_kind_runners() (continuous = true for a kind that runs until
// stopped, as change-feed).

#include "actors/http_pool.hpp"
#include "jobs/daemon_config.hpp"
#include "jobs/job_spec.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace bulkd {

/// What a run ended with.
struct run_result {
  bool ok = false;
  std::string error;         // why it failed ("interrupted" after a cancel); empty when ok
  std::string counts = "{}"; // the kind's counts as a JSON object
};

struct run_env {
  caf::actor_system& sys;
  http_pool_actor pool;
  const daemon_config& config;
};

using run_started_fn = std::function<void(const caf::actor&)>;

struct kind_runner {
  /// Runs `job` once, blocking until it ended. Must call on_started(job actor) once it runs.
  std::function<run_result(const run_env&, const job_spec&, const run_started_fn& on_started)>
      execute;
  /// The counts so far, as a JSON object, asked from the running job actor; nullopt when it does
  /// not answer within `timeout`. Empty function: the kind has no live progress.
  std::function<std::optional<std::string>(caf::actor_system&, const caf::actor&,
                                           std::chrono::milliseconds timeout)>
      progress;
  /// Started with the daemon and running until stopped (change-feed), not on demand.
  bool continuous = false;
};

using kind_table = std::map<job_kind, kind_runner>;

/// bulk-upsert and key-backup (on demand or scheduled) and change-feed (continuous).
kind_table default_kind_runners();

} // namespace bulkd
