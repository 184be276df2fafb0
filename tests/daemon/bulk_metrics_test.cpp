#include "daemon/bulk_metrics.hpp"
#include "daemon/metrics_registry.hpp"
#include "tests/daemon/prometheus_parser.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using bulkd::bulk_counts;
using bulkd::metrics::bulk_metrics;
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

std::optional<double> docs(const prom_document& d, const std::string& job,
                           const std::string& outcome) {
  return d.value("bulkd_documents_total", {{"job", job}, {"outcome", outcome}});
}

std::optional<double> in_flight(const prom_document& d, const std::string& range) {
  return d.value("bulkd_in_flight_requests", {{"job", "load"}, {"range", range}});
}

bulk_counts counts(uint64_t read, uint64_t written, double ru) {
  bulk_counts c;
  c.read = read;
  c.written = written;
  c.request_charge = ru;
  return c;
}

} // namespace

TEST_CASE("bulk metrics: a fresh job renders every series at zero and running 1",
          "[bulk_metrics]") {
  registry reg;
  bulk_metrics m{reg, "load"};
  CHECK(reg.render() ==
        R"(# HELP bulkd_documents_read_total Records read from the input files by bulk jobs.
# TYPE bulkd_documents_read_total counter
bulkd_documents_read_total{job="load"} 0
# HELP bulkd_documents_total Documents settled by bulk jobs, by outcome (written, dead_lettered: sent to the dead-letter file, rejected: unreadable input).
# TYPE bulkd_documents_total counter
bulkd_documents_total{job="load",outcome="dead_lettered"} 0
bulkd_documents_total{job="load",outcome="rejected"} 0
bulkd_documents_total{job="load",outcome="written"} 0
# HELP bulkd_in_flight_requests Requests a job sent and has no answer for yet, by physical partition key range.
# TYPE bulkd_in_flight_requests gauge
# HELP bulkd_input_bytes_read_total Input bytes read by bulk jobs.
# TYPE bulkd_input_bytes_read_total counter
bulkd_input_bytes_read_total{job="load"} 0
# HELP bulkd_job_running 1 while a run of the job goes on, else 0.
# TYPE bulkd_job_running gauge
bulkd_job_running{job="load",kind="bulk-upsert"} 1
# HELP bulkd_rebatches_total Batches bulk jobs split and sent again.
# TYPE bulkd_rebatches_total counter
bulkd_rebatches_total{job="load"} 0
# HELP bulkd_request_charge_total Request units (RU) charged to bulk jobs.
# TYPE bulkd_request_charge_total counter
bulkd_request_charge_total{job="load"} 0
# HELP bulkd_retries_total Requests bulk jobs sent again.
# TYPE bulkd_retries_total counter
bulkd_retries_total{job="load"} 0
# HELP bulkd_routing_refreshes_total Partition key range map refreshes of bulk jobs.
# TYPE bulkd_routing_refreshes_total counter
bulkd_routing_refreshes_total{job="load"} 0
# HELP bulkd_throttles_total Throttled (429) answers met by bulk jobs, whole batches and single operations.
# TYPE bulkd_throttles_total counter
bulkd_throttles_total{job="load"} 0
)");
  auto d = scrape(reg);
  CHECK(d.family("bulkd_documents_total")->samples.size() == 3);
}

TEST_CASE("bulk metrics: counters follow successive snapshots by their growth", "[bulk_metrics]") {
  registry reg;
  bulk_metrics m{reg, "load"};
  bulk_counts c;
  c.read = 1000;
  c.written = 800;
  c.dead_lettered = 3;
  c.rejected = 2;
  c.request_charge = 7.5;
  c.throttles = 4;
  c.retries = 6;
  c.rebatches = 1;
  c.routing_refreshes = 1;
  c.bytes_read = 65536;
  c.bytes_total = 1 << 20;
  m.update(c);
  auto d = scrape(reg);
  CHECK(docs(d, "load", "written") == 800);
  CHECK(docs(d, "load", "dead_lettered") == 3);
  CHECK(docs(d, "load", "rejected") == 2);
  CHECK(d.value("bulkd_documents_read_total", {{"job", "load"}}) == 1000);
  CHECK(d.value("bulkd_request_charge_total", {{"job", "load"}}) == 7.5);
  CHECK(d.value("bulkd_throttles_total", {{"job", "load"}}) == 4);
  CHECK(d.value("bulkd_retries_total", {{"job", "load"}}) == 6);
  CHECK(d.value("bulkd_rebatches_total", {{"job", "load"}}) == 1);
  CHECK(d.value("bulkd_routing_refreshes_total", {{"job", "load"}}) == 1);
  CHECK(d.value("bulkd_input_bytes_read_total", {{"job", "load"}}) == 65536);

  // The same snapshot again adds nothing; a grown one adds the difference only.
  m.update(c);
  c.read = 2500;
  c.written = 2100;
  c.request_charge = 20.25;
  c.throttles = 9;
  c.bytes_read = 200000;
  m.update(c);
  c.read = 3000;
  c.written = 2990;
  c.request_charge = 30.5;
  m.update(c);
  d = scrape(reg);
  CHECK(docs(d, "load", "written") == 2990);
  CHECK(docs(d, "load", "dead_lettered") == 3);
  CHECK(d.value("bulkd_documents_read_total", {{"job", "load"}}) == 3000);
  CHECK(d.value("bulkd_request_charge_total", {{"job", "load"}}) == 30.5);
  CHECK(d.value("bulkd_throttles_total", {{"job", "load"}}) == 9);
  CHECK(d.value("bulkd_input_bytes_read_total", {{"job", "load"}}) == 200000);
  CHECK(d.value("bulkd_job_running", {{"job", "load"}, {"kind", "bulk-upsert"}}) == 1);

  // A lower snapshot (never sent by a job, but a counter must not go down) adds nothing, and
  // the values it skipped are not counted twice when they come back.
  m.update(counts(100, 50, 1.0));
  d = scrape(reg);
  CHECK(docs(d, "load", "written") == 2990);
  CHECK(d.value("bulkd_documents_read_total", {{"job", "load"}}) == 3000);
  m.update(counts(3005, 3000, 31.0));
  d = scrape(reg);
  CHECK(docs(d, "load", "written") == 3000);
  CHECK(d.value("bulkd_documents_read_total", {{"job", "load"}}) == 3005);
  CHECK(d.value("bulkd_request_charge_total", {{"job", "load"}}) == 31.0);
}

TEST_CASE("bulk metrics: in-flight gauges per range, a gone range loses its series",
          "[bulk_metrics]") {
  registry reg;
  bulk_metrics m{reg, "load"};
  bulk_counts c;
  c.in_flight_by_range = {{"0", 4}, {"1", 2}, {"2", 7}, {"3", 0}};
  m.update(c);
  auto d = scrape(reg);
  CHECK(in_flight(d, "0") == 4);
  CHECK(in_flight(d, "1") == 2);
  CHECK(in_flight(d, "2") == 7);
  CHECK(in_flight(d, "3") == 0);

  // Range 2 splits into 4 and 5.
  c.in_flight_by_range = {{"0", 1}, {"1", 2}, {"3", 5}, {"4", 3}, {"5", 0}};
  m.update(c);
  auto text = reg.render();
  auto begin = text.find("bulkd_in_flight_requests{");
  auto end = text.find("# HELP", begin);
  CHECK(text.substr(begin, end - begin) == R"(bulkd_in_flight_requests{job="load",range="0"} 1
bulkd_in_flight_requests{job="load",range="1"} 2
bulkd_in_flight_requests{job="load",range="3"} 5
bulkd_in_flight_requests{job="load",range="4"} 3
bulkd_in_flight_requests{job="load",range="5"} 0
)");
  d = scrape(reg);
  CHECK_FALSE(in_flight(d, "2"));
  CHECK(d.family("bulkd_in_flight_requests")->samples.size() == 5);

  // An empty map (a job that does not report ranges) leaves no in-flight series.
  c.in_flight_by_range.clear();
  m.update(c);
  d = scrape(reg);
  CHECK(d.family("bulkd_in_flight_requests")->samples.empty());
}

TEST_CASE("bulk metrics: finish sets the final counts, drops in-flight series, stops running",
          "[bulk_metrics]") {
  registry reg;
  {
    bulk_metrics m{reg, "load"};
    auto c = counts(500, 400, 12.5);
    c.in_flight_by_range = {{"0", 3}, {"1", 1}};
    m.update(c);
    auto final_counts = counts(1000, 990, 25.0);
    final_counts.dead_lettered = 10;
    final_counts.in_flight_by_range = {{"0", 0}};
    m.finish(final_counts);
    auto d = scrape(reg);
    CHECK(docs(d, "load", "written") == 990);
    CHECK(docs(d, "load", "dead_lettered") == 10);
    CHECK(d.value("bulkd_documents_read_total", {{"job", "load"}}) == 1000);
    CHECK(d.value("bulkd_request_charge_total", {{"job", "load"}}) == 25.0);
    CHECK(d.family("bulkd_in_flight_requests")->samples.empty());
    CHECK(d.value("bulkd_job_running", {{"job", "load"}, {"kind", "bulk-upsert"}}) == 0);

    // After finish nothing changes any more.
    m.update(counts(5000, 5000, 100));
    m.finish(counts(5000, 5000, 100));
    d = scrape(reg);
    CHECK(docs(d, "load", "written") == 990);
  }
  // A second run of the job goes on from the first run's totals; another job has its own series.
  bulk_metrics second{reg, "load"};
  bulk_metrics other{reg, "other"};
  auto d = scrape(reg);
  CHECK(d.value("bulkd_job_running", {{"job", "load"}, {"kind", "bulk-upsert"}}) == 1);
  CHECK(docs(d, "load", "written") == 990);
  second.update(counts(20, 10, 1.5));
  other.update(counts(7, 7, 0.5));
  d = scrape(reg);
  CHECK(docs(d, "load", "written") == 1000);
  CHECK(d.value("bulkd_documents_read_total", {{"job", "load"}}) == 1020);
  CHECK(d.value("bulkd_request_charge_total", {{"job", "load"}}) == 26.5);
  CHECK(docs(d, "other", "written") == 7);
  CHECK(d.value("bulkd_request_charge_total", {{"job", "other"}}) == 0.5);
}

TEST_CASE("bulk metrics: destroying an unfinished run clears its gauges", "[bulk_metrics]") {
  registry reg;
  {
    bulk_metrics m{reg, "load"};
    bulk_counts c;
    c.written = 5;
    c.in_flight_by_range = {{"0", 2}};
    m.update(c);
  }
  auto d = scrape(reg);
  CHECK(d.family("bulkd_in_flight_requests")->samples.empty());
  CHECK(d.value("bulkd_job_running", {{"job", "load"}, {"kind", "bulk-upsert"}}) == 0);
  CHECK(docs(d, "load", "written") == 5);
}
