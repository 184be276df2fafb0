#pragma once

// Publishes the progress of one change-feed run into a metrics registry, from the feed_report
// snapshots the job answers to feed_status_atom (and the final report):
//
//   bulkd_change_feed_documents_total{job,outcome}  outcome: delivered | dead_lettered
//   bulkd_change_feed_batches_total{job}            batches the sink acknowledged
//   bulkd_change_feed_lag_items{job,range}          estimated changes behind, per owned range
//   bulkd_change_feed_lag_seconds{job,range}        now - _ts of the last delivered change
//   bulkd_change_feed_leases_owned{job}             leases this instance holds
//   bulkd_job_running{job,kind="change-feed"}       1 while the run goes on, 0 after it
//
// A range whose lag is unknown (no checkpoint yet) has no lag series rather than a made-up
// value; a range this instance no longer owns loses its series. Counters grow by the difference
// between snapshots, as in bulk_metrics.

#include "daemon/metrics_registry.hpp"
#include "jobs/change_feed/feed_report.hpp"

#include <mutex>
#include <set>
#include <string>

namespace bulkd::metrics {

class feed_metrics {
public:
  feed_metrics(registry& reg, std::string job);
  ~feed_metrics();
  feed_metrics(const feed_metrics&) = delete;
  feed_metrics& operator=(const feed_metrics&) = delete;

  /// Thread-safe.
  void update(const feed_report& report);

  /// update(final_report), then drops the per-range series and sets bulkd_job_running to 0.
  void finish(const feed_report& final_report);

private:
  void apply(const feed_report& report);
  void close();

  std::mutex mtx_;
  std::string job_;
  bool finished_ = false;
  uint64_t delivered_seen_ = 0;
  uint64_t dead_lettered_seen_ = 0;
  uint64_t batches_seen_ = 0;
  std::set<std::string> items_ranges_;
  std::set<std::string> seconds_ranges_;
  counter& delivered_;
  counter& dead_lettered_;
  counter& batches_;
  family<gauge>& lag_items_;
  family<gauge>& lag_seconds_;
  gauge& leases_owned_;
  gauge& running_;
};

} // namespace bulkd::metrics
