#pragma once

// Publishes the progress of one bulk-upsert run into a metrics registry, from the bulk_counts
// snapshots the job answers to progress_atom (and the final report):
//
//   bulkd_documents_total{job,outcome}       outcome: written | dead_lettered | rejected
//   bulkd_documents_read_total{job}          records read from the input
//   bulkd_request_charge_total{job}          request units charged
//   bulkd_throttles_total{job}               429 answers (whole batches and single operations)
//   bulkd_retries_total{job}                 requests sent again
//   bulkd_rebatches_total{job}               batches split and sent again
//   bulkd_routing_refreshes_total{job}       partition key range map refreshes
//   bulkd_input_bytes_read_total{job}        input bytes read
//   bulkd_in_flight_requests{job,range}      requests sent and not answered, per physical range
//   bulkd_job_running{job,kind}              1 while the run goes on, 0 after it
//
// The counters grow by the difference between successive snapshots, so they stay monotonic across
// runs of the same job (a new run starts a new bulk_metrics, its counts start from zero again).
// A snapshot lower than the previous one adds nothing. A range missing from a snapshot (split,
// gone) loses its in-flight series; finish() drops them all.
//
//   bulkd::metrics::bulk_metrics m{registry, "load-products"};
//   m.update(progress.counts); // every second or so
//   m.finish(report.counts);   // the counters now equal the report

#include "daemon/metrics_registry.hpp"
#include "jobs/bulk_upsert/bulk_report.hpp"

#include <mutex>
#include <set>
#include <string>

namespace bulkd::metrics {

class bulk_metrics {
public:
  /// Registers the families (or finds them) and sets bulkd_job_running{job,kind="bulk-upsert"} to
  /// 1; every counter series of the job exists from here on (zero when new).
  bulk_metrics(registry& reg, std::string job);
  /// finish() without new counts when it was not called.
  ~bulk_metrics();
  bulk_metrics(const bulk_metrics&) = delete;
  bulk_metrics& operator=(const bulk_metrics&) = delete;

  /// Adds what grew since the last snapshot and sets the in-flight gauges. Thread-safe.
  void update(const bulk_counts& counts);

  /// update(final_counts), then drops the in-flight series and sets bulkd_job_running to 0. Later
  /// updates are ignored.
  void finish(const bulk_counts& final_counts);

private:
  void apply(const bulk_counts& counts);
  void close();

  std::mutex mtx_;
  std::string job_;
  bool finished_ = false;
  bulk_counts last_; // the largest values seen so far
  std::set<std::string> ranges_;
  counter& written_;
  counter& dead_lettered_;
  counter& rejected_;
  counter& read_;
  counter& request_charge_;
  counter& throttles_;
  counter& retries_;
  counter& rebatches_;
  counter& routing_refreshes_;
  counter& bytes_read_;
  family<gauge>& in_flight_;
  gauge& running_;
};

} // namespace bulkd::metrics
