#pragma once

// What a change-feed run has done so far, per job and per range: answered by the job actor to
// feed_status_atom while it runs, handed to on_done at the end, printed by `bulkd run` and exported
// as metrics. Lag values are unknown (nullopt) before a range's first checkpoint.

#include "jobs/change_feed/change_batch.hpp" // caf::inspect of std::optional
#include "jobs/change_feed/range_lag.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bulkd {

struct feed_range_status {
  std::string range;        // lease token (partition key range id)
  std::string continuation; // the last checkpointed etag; empty = none yet
  bool reading = false;     // a reader runs for it in this instance
  range_lag lag;
  uint64_t delivered = 0; // documents the sink acknowledged in this run

  friend bool operator==(const feed_range_status&, const feed_range_status&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feed_range_status& x) {
  return f(caf::meta::type_name("feed_range_status"), x.range, x.continuation, x.reading, x.lag,
           x.delivered);
}

struct feed_report {
  std::string job;
  std::string instance;
  bool ok = true;
  std::string error;    // why the run failed
  bool stopped = false; // ended by a stop request (SIGTERM), not by an error or catching up
  bool caught_up = false;
  uint64_t delivered = 0;             // documents acknowledged by the sink
  uint64_t batches = 0;               // batches acknowledged by the sink
  uint64_t dead_lettered = 0;         // documents of batches the sink gave up on
  uint64_t dead_lettered_batches = 0; // such batches
  uint64_t splits = 0;                // ranges replaced by their children
  uint64_t leases_acquired = 0;       // free or expired leases taken (steals included)
  uint64_t leases_lost = 0;           // leases another instance took over
  uint64_t reader_restarts = 0;       // readers restarted after an error
  uint32_t leases_owned = 0;
  uint32_t leases_total = 0;
  std::vector<feed_range_status> ranges; // the ranges this instance owns, by token
  double seconds = 0;

  friend bool operator==(const feed_report&, const feed_report&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feed_report& x) {
  return f(caf::meta::type_name("feed_report"), x.job, x.instance, x.ok, x.error, x.stopped,
           x.caught_up, x.delivered, x.batches, x.dead_lettered, x.dead_lettered_batches, x.splits,
           x.leases_acquired, x.leases_lost, x.reader_restarts, x.leases_owned, x.leases_total,
           x.ranges, x.seconds);
}

/// The --report JSON object (kind "change-feed"); lag values null when unknown.
std::string to_json(const feed_report& report);

/// The summary `bulkd run` prints: "change-feed <job>: ok|FAILED" and a line per figure.
std::string render_summary(const feed_report& report);

/// One progress line for a TTY: delivered, rate, leases, worst lag.
std::string render_progress_line(const feed_report& report);

} // namespace bulkd
