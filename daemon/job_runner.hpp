#pragma once

// The jobs of `bulkd serve` and their runs. Each job is one of:
//   - scheduled (a `schedule:`): tick() starts a run at every fire time; a fire that finds the
//     previous run still going is skipped and counted (skipped_fires);
//   - continuous (its kind_runner says so: change-feed): started by start(), runs until cancelled;
//     a failed run is started again after a backoff (restart_delay, doubling to restart_max);
//   - on demand (neither): runs only when triggered (the admin API).
// At most one run per job goes on at a time. A run executes on a thread of its own through the
// kind's kind_runner (daemon/job_kinds.hpp); cancel sends its job actor an exit message
// (user_shutdown), so it drains, writes its checkpoint and ends as cancelled. Every run keeps an
// id, its state, start/end, counts and last error (daemon/job_run.hpp); the last `history` finished
// runs of each job are kept in memory.
//
// Thread-safe: the admin API calls it from its request threads, the scheduler thread calls
// tick(), run threads report their end.

#include "clients/error.hpp"
#include "daemon/job_kinds.hpp"
#include "daemon/job_run.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bulkd {

struct job_runner_options {
  size_t history = 20; // finished runs kept per job
  /// Run the scheduler on its own thread (tick() at each fire time). Off: tests call tick().
  bool scheduler_thread = true;
  std::chrono::milliseconds progress_timeout{1000};
  /// A continuous job whose run failed starts again after this delay, doubled after each failure
  /// in a row up to restart_max; a run that lasted restart_max or longer resets it.
  std::chrono::seconds restart_delay{10};
  std::chrono::seconds restart_max{300};
  /// The clock that stamps runs and drives the scheduler thread.
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

/// A job as the admin API shows it.
struct job_view {
  std::string name;
  job_kind kind = job_kind::bulk_upsert;
  std::string schedule; // empty: on demand (or continuous)
  std::string mode;     // "scheduled" | "on-demand" | "continuous"
  bool runnable = true; // false: this version of serve cannot run the job's kind
  std::optional<job_run::time_point> next_fire; // scheduled, or a continuous job's restart
  uint64_t skipped_fires = 0;                   // fires that found a run still going
  std::optional<job_run> current;
  std::vector<job_run> last_runs; // newest first
  std::string origin;             // file:line of the spec
  job_spec spec;
};

class job_runner {
public:
  using pool_getter = std::function<caf::expected<http_pool_actor>()>;

  /// `config` must outlive the runner. `pool` is asked for the HTTP pool at every run start (the
  /// root supervisor may have restarted it).
  job_runner(caf::actor_system& sys, const daemon_config& config, pool_getter pool,
             kind_table kinds, std::vector<job_spec> jobs, job_runner_options options = {});
  ~job_runner(); // shutdown()
  job_runner(const job_runner&) = delete;
  job_runner& operator=(const job_runner&) = delete;

  /// Computes the first fire times, starts the continuous jobs and the scheduler thread.
  void start();

  /// One scheduler step at `now`: starts every scheduled job whose fire time has come (or counts
  /// the fire as skipped while its run goes on) and moves its fire time past `now`. Returns the
  /// earliest next fire time (time_point::max() without scheduled jobs).
  job_run::time_point tick(job_run::time_point now);

  /// Starts a run of `job` now. Errors: ec::not_found (unknown job), ec::conflict (a run is
  /// going; the message names it), ec::not_implemented (a kind serve cannot run),
  /// ec::shutting_down.
  caf::expected<uint64_t> trigger(const std::string& job, run_trigger why = run_trigger::api);

  /// Cancels the job's current run and returns its id. Errors: ec::not_found (unknown job),
  /// ec::conflict (no run going; the message says what the last run did).
  caf::expected<uint64_t> cancel_job(const std::string& job);

  /// Cancels a run by id. Errors: ec::not_found, ec::conflict (the run has finished already).
  caf::error cancel_run(uint64_t id);

  std::vector<job_view> jobs() const;
  std::optional<job_view> job(const std::string& name) const;
  std::optional<job_run> run(uint64_t id) const;

  /// The live counts of a running run (JSON object), asked from its job actor; nullopt when the
  /// run is not running, its kind has no progress or it did not answer in time.
  std::optional<std::string> progress(uint64_t id) const;

  /// Blocks until run `id` has finished or `timeout` passed; returns the run as it is then.
  std::optional<job_run> wait_for(uint64_t id, std::chrono::milliseconds timeout) const;

  /// Replaces the job set with `jobs` (a reloaded jobs directory): added jobs are scheduled (or
  /// started, when continuous); removed ones are cancelled (they drain) and dropped once their
  /// run ended; changed ones (any field of the spec) are cancelled and take the new spec when
  /// their run ended (a continuous one starts again); unchanged ones are not touched.
  struct reload_summary {
    std::vector<std::string> added, removed, changed;
    size_t unchanged = 0;
  };
  reload_summary reload(std::vector<job_spec> jobs);

  /// Stops the scheduler, refuses new runs, cancels every run going and waits for their threads:
  /// each drains within the config's shutdown_timeout. Idempotent.
  void shutdown();

  /// Runs going on now.
  size_t running() const;

private:
  struct state;
  std::shared_ptr<state> state_;
};

} // namespace bulkd
