#include "daemon/feed_metrics.hpp"

#include <utility>

namespace bulkd::metrics {

namespace {

family<counter>& documents(registry& reg) {
  return reg.counter_family("bulkd_change_feed_documents_total",
                            "Changes a change-feed job settled, by outcome (delivered: "
                            "acknowledged by the sink, dead_lettered: the sink gave up on them).",
                            {"job", "outcome"});
}

void add_growth(counter& c, uint64_t& last, uint64_t now) {
  if (now > last) {
    c.inc(static_cast<double>(now - last));
    last = now;
  }
}

/// Sets the gauge of each range that has a value and removes the series of the others.
template <class Get>
void set_ranges(family<gauge>& fam, const std::string& job, std::set<std::string>& shown,
                const feed_report& r, Get get) {
  std::set<std::string> now;
  for (auto& range : r.ranges)
    if (auto value = get(range.lag)) {
      fam.with({job, range.range}).set(static_cast<double>(*value));
      now.insert(range.range);
    }
  for (auto& range : shown)
    if (now.count(range) == 0)
      fam.remove({job, range});
  shown = std::move(now);
}

} // namespace

feed_metrics::feed_metrics(registry& reg, std::string job)
    : job_(std::move(job)), delivered_(documents(reg).with({job_, "delivered"})),
      dead_lettered_(documents(reg).with({job_, "dead_lettered"})),
      batches_(reg.counter_family("bulkd_change_feed_batches_total",
                                  "Batches of changes the sink acknowledged.", {"job"})
                   .with({job_})),
      lag_items_(reg.gauge_family("bulkd_change_feed_lag_items",
                                  "Estimated changes a feed range is behind (session LSN minus "
                                  "the checkpointed LSN); absent until the first checkpoint.",
                                  {"job", "range"})),
      lag_seconds_(reg.gauge_family("bulkd_change_feed_lag_seconds",
                                    "Seconds since the last delivered change of a feed range was "
                                    "written (0 when caught up); absent while unknown.",
                                    {"job", "range"})),
      leases_owned_(reg.gauge_family("bulkd_change_feed_leases_owned",
                                     "Feed range leases this instance holds.", {"job"})
                        .with({job_})),
      running_(reg.gauge_family("bulkd_job_running", "1 while a run of the job goes on, else 0.",
                                {"job", "kind"})
                   .with({job_, "change-feed"})) {
  running_.set(1);
}

feed_metrics::~feed_metrics() {
  std::lock_guard guard{mtx_};
  close();
}

void feed_metrics::update(const feed_report& report) {
  std::lock_guard guard{mtx_};
  if (!finished_)
    apply(report);
}

void feed_metrics::finish(const feed_report& final_report) {
  std::lock_guard guard{mtx_};
  if (finished_)
    return;
  apply(final_report);
  close();
}

void feed_metrics::apply(const feed_report& r) {
  add_growth(delivered_, delivered_seen_, r.delivered);
  add_growth(dead_lettered_, dead_lettered_seen_, r.dead_lettered);
  add_growth(batches_, batches_seen_, r.batches);
  leases_owned_.set(static_cast<double>(r.leases_owned));
  set_ranges(lag_items_, job_, items_ranges_, r, [](const range_lag& l) { return l.items; });
  set_ranges(lag_seconds_, job_, seconds_ranges_, r, [](const range_lag& l) { return l.seconds; });
}

void feed_metrics::close() {
  if (finished_)
    return;
  finished_ = true;
  for (auto& range : items_ranges_)
    lag_items_.remove({job_, range});
  for (auto& range : seconds_ranges_)
    lag_seconds_.remove({job_, range});
  items_ranges_.clear();
  seconds_ranges_.clear();
  leases_owned_.set(0);
  running_.set(0);
}

} // namespace bulkd::metrics
