#include "daemon/feed_metrics.hpp"
#include "daemon/metrics_registry.hpp"
#include "tests/daemon/prometheus_parser.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using bulkd::feed_range_status;
using bulkd::feed_report;
using bulkd::range_lag;
using bulkd::metrics::feed_metrics;
using bulkd::metrics::registry;
using bulkd::test::parse_prometheus_text;
using bulkd::test::prom_document;

namespace {

prom_document scrape(const registry& reg) {
  auto parsed = parse_prometheus_text(reg.render());
  INFO(reg.render());
  REQUIRE(parsed.error == "");
  return parsed.doc;
}

std::optional<double> lag_items(const prom_document& d, const std::string& range) {
  return d.value("bulkd_change_feed_lag_items", {{"job", "f"}, {"range", range}});
}

feed_report report(uint64_t delivered, std::vector<feed_range_status> ranges) {
  feed_report r;
  r.job = "f";
  r.delivered = delivered;
  r.batches = delivered / 10;
  r.leases_owned = static_cast<uint32_t>(ranges.size());
  r.ranges = std::move(ranges);
  return r;
}

} // namespace

TEST_CASE("feed metrics: counters follow the reports, lags only where known", "[feed_metrics]") {
  registry reg;
  feed_metrics m{reg, "f"};
  auto d = scrape(reg);
  CHECK(d.value("bulkd_change_feed_documents_total", {{"job", "f"}, {"outcome", "delivered"}}) ==
        0.0);
  CHECK(d.value("bulkd_job_running", {{"job", "f"}, {"kind", "change-feed"}}) == 1.0);

  m.update(report(100, {{"0", "\"5\"", true, range_lag{7, 3}, 100}, {"1", "", true, {}, 0}}));
  d = scrape(reg);
  CHECK(d.value("bulkd_change_feed_documents_total", {{"job", "f"}, {"outcome", "delivered"}}) ==
        100.0);
  CHECK(d.value("bulkd_change_feed_batches_total", {{"job", "f"}}) == 10.0);
  CHECK(lag_items(d, "0") == 7.0);
  CHECK(d.value("bulkd_change_feed_lag_seconds", {{"job", "f"}, {"range", "0"}}) == 3.0);
  CHECK_FALSE(lag_items(d, "1")); // unknown: no series rather than a made-up number
  CHECK(d.value("bulkd_change_feed_leases_owned", {{"job", "f"}}) == 2.0);

  // A lower snapshot adds nothing; range 0 is no longer owned, range 1 now known.
  m.update(report(90, {{"1", "\"9\"", true, range_lag{0, 0}, 90}}));
  d = scrape(reg);
  CHECK(d.value("bulkd_change_feed_documents_total", {{"job", "f"}, {"outcome", "delivered"}}) ==
        100.0);
  CHECK_FALSE(lag_items(d, "0"));
  CHECK(lag_items(d, "1") == 0.0);

  m.finish(report(250, {{"1", "\"9\"", true, range_lag{0, 0}, 250}}));
  d = scrape(reg);
  CHECK(d.value("bulkd_change_feed_documents_total", {{"job", "f"}, {"outcome", "delivered"}}) ==
        250.0);
  CHECK_FALSE(lag_items(d, "1"));
  CHECK(d.value("bulkd_change_feed_leases_owned", {{"job", "f"}}) == 0.0);
  CHECK(d.value("bulkd_job_running", {{"job", "f"}, {"kind", "change-feed"}}) == 0.0);
  m.update(report(999, {}));
  d = scrape(reg);
  CHECK(d.value("bulkd_change_feed_documents_total", {{"job", "f"}, {"outcome", "delivered"}}) ==
        250.0);
}
