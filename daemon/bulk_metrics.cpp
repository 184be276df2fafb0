#include "daemon/bulk_metrics.hpp"

#include <algorithm>
#include <utility>

namespace bulkd::metrics {

namespace {

constexpr const char* job_kind = "bulk-upsert";

family<counter>& documents(registry& reg) {
  return reg.counter_family("bulkd_documents_total",
                            "Documents settled by bulk jobs, by outcome (written, dead_lettered: "
                            "sent to the dead-letter file, rejected: unreadable input).",
                            {"job", "outcome"});
}

counter& job_counter(registry& reg, std::string name, std::string help, const std::string& job) {
  return reg.counter_family(std::move(name), std::move(help), {"job"}).with({job});
}

template <class T>
void add_growth(counter& c, T& last, T now) {
  if (now > last) {
    c.inc(static_cast<double>(now - last));
    last = now;
  }
}

} // namespace

bulk_metrics::bulk_metrics(registry& reg, std::string job)
    : job_(std::move(job)), written_(documents(reg).with({job_, "written"})),
      dead_lettered_(documents(reg).with({job_, "dead_lettered"})),
      rejected_(documents(reg).with({job_, "rejected"})),
      read_(job_counter(reg, "bulkd_documents_read_total",
                        "Records read from the input files by bulk jobs.", job_)),
      request_charge_(job_counter(reg, "bulkd_request_charge_total",
                                  "Request units (RU) charged to bulk jobs.", job_)),
      throttles_(job_counter(reg, "bulkd_throttles_total",
                             "Throttled (429) answers met by bulk jobs, whole batches and "
                             "single operations.",
                             job_)),
      retries_(job_counter(reg, "bulkd_retries_total", "Requests bulk jobs sent again.", job_)),
      rebatches_(job_counter(reg, "bulkd_rebatches_total",
                             "Batches bulk jobs split and sent again.", job_)),
      routing_refreshes_(job_counter(reg, "bulkd_routing_refreshes_total",
                                     "Partition key range map refreshes of bulk jobs.", job_)),
      bytes_read_(
          job_counter(reg, "bulkd_input_bytes_read_total", "Input bytes read by bulk jobs.", job_)),
      in_flight_(reg.gauge_family("bulkd_in_flight_requests",
                                  "Requests a job sent and has no answer for yet, by physical "
                                  "partition key range.",
                                  {"job", "range"})),
      running_(reg.gauge_family("bulkd_job_running", "1 while a run of the job goes on, else 0.",
                                {"job", "kind"})
                   .with({job_, job_kind})) {
  running_.set(1);
}

bulk_metrics::~bulk_metrics() {
  std::lock_guard guard{mtx_};
  close();
}

void bulk_metrics::update(const bulk_counts& counts) {
  std::lock_guard guard{mtx_};
  if (finished_)
    return;
  apply(counts);
  std::set<std::string> now;
  for (auto& [range, requests] : counts.in_flight_by_range) {
    in_flight_.with({job_, range}).set(static_cast<double>(requests));
    now.insert(range);
  }
  for (auto& range : ranges_)
    if (now.count(range) == 0)
      in_flight_.remove({job_, range});
  ranges_ = std::move(now);
}

void bulk_metrics::finish(const bulk_counts& final_counts) {
  std::lock_guard guard{mtx_};
  if (finished_)
    return;
  apply(final_counts);
  close();
}

void bulk_metrics::apply(const bulk_counts& c) {
  // Read before the outcomes: a scrape rendering between two of these increments then rarely sees
  // more settled documents than read ones.
  add_growth(read_, last_.read, c.read);
  add_growth(written_, last_.written, c.written);
  add_growth(dead_lettered_, last_.dead_lettered, c.dead_lettered);
  add_growth(rejected_, last_.rejected, c.rejected);
  add_growth(request_charge_, last_.request_charge, c.request_charge);
  add_growth(throttles_, last_.throttles, c.throttles);
  add_growth(retries_, last_.retries, c.retries);
  add_growth(rebatches_, last_.rebatches, c.rebatches);
  add_growth(routing_refreshes_, last_.routing_refreshes, c.routing_refreshes);
  add_growth(bytes_read_, last_.bytes_read, c.bytes_read);
}

void bulk_metrics::close() {
  if (finished_)
    return;
  finished_ = true;
  for (auto& range : ranges_)
    in_flight_.remove({job_, range});
  ranges_.clear();
  running_.set(0);
}

} // namespace bulkd::metrics
