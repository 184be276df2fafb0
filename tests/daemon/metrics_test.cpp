#include "daemon/metrics_process.hpp"
#include "daemon/metrics_registry.hpp"
#include "daemon/prometheus_text.hpp"
#include "tests/daemon/prometheus_parser.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <ctime>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace bulkd::metrics;
using bulkd::test::parse_prometheus_text;

TEST_CASE("counters, gauges and histograms render as Prometheus text", "[metrics]") {
  registry reg;
  auto& docs = reg.counter_family("bulkd_documents_written_total", "Documents written.", {"job"});
  docs.with({"load-products"}).inc(100);
  docs.with({"load-products"}).inc();
  docs.with({"a\"b\\c\nd"}).inc(2.5);
  auto& up = reg.gauge_family("bulkd_up", "1 when the daemon runs.");
  up.get().set(1);
  auto& lat = reg.histogram_family("bulkd_request_seconds", "Request latency.\nSecond \\ line.",
                                   {"op"}, {0.1, 1, 10});
  auto& h = lat.with({"upsert"});
  for (double v : {0.05, 0.1, 0.5, 5.0, 50.0})
    h.observe(v);
  auto text = reg.render();
  CHECK(text == R"(# HELP bulkd_documents_written_total Documents written.
# TYPE bulkd_documents_written_total counter
bulkd_documents_written_total{job="a\"b\\c\nd"} 2.5
bulkd_documents_written_total{job="load-products"} 101
# HELP bulkd_request_seconds Request latency.\nSecond \\ line.
# TYPE bulkd_request_seconds histogram
bulkd_request_seconds_bucket{op="upsert",le="0.1"} 2
bulkd_request_seconds_bucket{op="upsert",le="1"} 3
bulkd_request_seconds_bucket{op="upsert",le="10"} 4
bulkd_request_seconds_bucket{op="upsert",le="+Inf"} 5
bulkd_request_seconds_sum{op="upsert"} 55.65
bulkd_request_seconds_count{op="upsert"} 5
# HELP bulkd_up 1 when the daemon runs.
# TYPE bulkd_up gauge
bulkd_up 1
)");
  auto parsed = parse_prometheus_text(text);
  REQUIRE(parsed.error == "");
  CHECK(parsed.doc.value("bulkd_documents_written_total", {{"job", "a\"b\\c\nd"}}) == 2.5);
  CHECK(parsed.doc.family("bulkd_request_seconds")->help == "Request latency.\nSecond \\ line.");
}

TEST_CASE("families without labels render a zero series before first use", "[metrics]") {
  registry reg;
  reg.counter_family("c_total", "c");
  reg.histogram_family("h_seconds", "h", {}, {1});
  reg.gauge_family("g", "g", {"job"}); // labelled: no series until with()
  auto text = reg.render();
  CHECK(text == R"(# HELP c_total c
# TYPE c_total counter
c_total 0
# HELP g g
# TYPE g gauge
# HELP h_seconds h
# TYPE h_seconds histogram
h_seconds_bucket{le="1"} 0
h_seconds_bucket{le="+Inf"} 0
h_seconds_sum 0
h_seconds_count 0
)");
  CHECK(parse_prometheus_text(text).error == "");
}

TEST_CASE("metric values use plain integers, shortest floats and Inf/NaN", "[metrics]") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(-0.0) == "0");
  CHECK(format_value(1e6) == "1000000");
  CHECK(format_value(-42) == "-42");
  CHECK(format_value(0.1) == "0.1");
  CHECK(format_value(1e300) == "1e+300");
  CHECK(format_value(HUGE_VAL) == "+Inf");
  CHECK(format_value(-HUGE_VAL) == "-Inf");
  CHECK(format_value(std::nan("")) == "NaN");
  CHECK(escape_help("a\\b\nc\"") == "a\\\\b\\nc\"");
  CHECK(escape_label_value("a\\b\nc\"") == "a\\\\b\\nc\\\"");
}

TEST_CASE("counters ignore negative increments, gauges go both ways, series can be removed",
          "[metrics]") {
  registry reg;
  auto& c = reg.counter_family("c_total", "c").get();
  c.inc(5);
  c.inc(-3);
  c.inc(std::nan(""));
  CHECK(c.value() == 5);
  auto& g = reg.gauge_family("lag", "lag", {"job", "range"});
  g.with({"feed", "0"}).set(10);
  g.with({"feed", "0"}).dec(4);
  g.with({"feed", "1"}).inc();
  CHECK(g.with({"feed", "0"}).value() == 6);
  g.remove({"feed", "0"});
  auto parsed = parse_prometheus_text(reg.render());
  REQUIRE(parsed.error == "");
  CHECK_FALSE(parsed.doc.value("lag", {{"job", "feed"}, {"range", "0"}}));
  CHECK(parsed.doc.value("lag", {{"job", "feed"}, {"range", "1"}}) == 1);
  g.clear();
  CHECK(parsed.doc.family("lag") != nullptr);
  CHECK(parse_prometheus_text(reg.render()).doc.family("lag")->samples.empty());
}

TEST_CASE("histograms put values in the first bucket whose bound is >= the value", "[metrics]") {
  registry reg;
  auto& h = reg.histogram_family("h", "h", {}, exponential_buckets(1, 2, 3)).get(); // 1 2 4
  for (double v : {-1.0, 1.0, 1.5, 2.0, 4.0, 4.5, std::nan("")})
    h.observe(v);
  CHECK(h.cumulative_counts() == std::vector<uint64_t>{2, 4, 5, 7});
  CHECK(std::isnan(h.sum()));
  auto parsed = parse_prometheus_text(reg.render());
  REQUIRE(parsed.error == "");
  CHECK(parsed.doc.value("h_sum").has_value());
}

TEST_CASE("registration errors are programming errors with a message", "[metrics]") {
  registry reg;
  auto message = [&](auto fn) {
    try {
      fn();
    } catch (const std::invalid_argument& e) {
      return std::string{e.what()};
    }
    return std::string{"no exception"};
  };
  CHECK(message([&] { reg.counter_family("1bad", "x"); }) == "metrics: invalid metric name '1bad'");
  CHECK(message([&] { reg.counter_family("ok_total", "x", {"__x"}); }) ==
        "metrics: invalid label name '__x' in ok_total");
  CHECK(message([&] {
          reg.counter_family("ok_total", "x", {"a", "a"});
        }) == "metrics: duplicate label name 'a' in ok_total");
  CHECK(message([&] { reg.histogram_family("h", "x", {"le"}); }) ==
        "metrics: histogram h must not use the label 'le'");
  CHECK(message([&] {
          reg.histogram_family("h", "x", {}, {1, 1});
        }) == "metrics: histogram h bucket bounds must be strictly increasing");
  CHECK(message([&] { reg.histogram_family("h", "x", {}, {std::nan("")}); }) ==
        "metrics: histogram h has a non-finite bucket bound");
  auto& fam = reg.counter_family("c_total", "x", {"job"});
  CHECK(&reg.counter_family("c_total", "other help", {"job"}) == &fam);
  CHECK(message([&] { reg.gauge_family("c_total", "x", {"job"}); }) ==
        "metrics: metric c_total is already registered with another type, labels or buckets");
  CHECK(message([&] { fam.with({"a", "b"}); }) == "metrics: c_total takes 1 label values, got 2");
  reg.histogram_family("lat", "x", {}, {1});
  CHECK(message([&] { reg.counter_family("lat_count", "x"); }) ==
        "metrics: metric lat_count clashes with the samples of lat");
  reg.gauge_family("q_sum", "x");
  CHECK(message([&] { reg.histogram_family("q", "x", {}); }) ==
        "metrics: metric q clashes with the samples of q_sum");
  CHECK(message([] { exponential_buckets(0, 2, 3); }) ==
        "metrics: exponential_buckets needs start > 0 and factor > 1");
}

TEST_CASE("metrics are safe to update from many threads while rendering", "[metrics]") {
  registry reg;
  auto& c = reg.counter_family("c_total", "c", {"t"});
  auto& h = reg.histogram_family("h", "h", {}, {0.5}).get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      auto& mine = c.with({std::to_string(t % 2)});
      for (int i = 0; i < 20000; ++i) {
        mine.inc();
        h.observe(i % 2);
      }
    });
  for (int i = 0; i < 20; ++i)
    REQUIRE(parse_prometheus_text(reg.render()).error == "");
  for (auto& t : threads)
    t.join();
  CHECK(c.with({"0"}).value() + c.with({"1"}).value() == 80000);
  CHECK(h.cumulative_counts() == std::vector<uint64_t>{40000, 80000});
  CHECK(h.sum() == 40000);
}

TEST_CASE("process metrics come from /proc and pass the parser", "[metrics]") {
  registry reg;
  process_metrics proc{reg, "1.2.3"};
  std::vector<char> ballast(64 << 20, 1); // touched memory shows in RSS
  proc.refresh();
  auto parsed = parse_prometheus_text(reg.render());
  REQUIRE(parsed.error == "");
  auto& doc = parsed.doc;
  CHECK(doc.value("bulkd_build_info", {{"version", "1.2.3"}}) == 1);
  CHECK(*doc.value("process_resident_memory_bytes") > double(64 << 20));
  CHECK(*doc.value("process_virtual_memory_bytes") >= *doc.value("process_resident_memory_bytes"));
  CHECK(*doc.value("process_open_fds") >= 3);
  CHECK(*doc.value("process_cpu_seconds_total") >= 0);
  auto now = static_cast<double>(std::time(nullptr));
  auto start = *doc.value("process_start_time_seconds");
  CHECK(start <= now + 1);
  CHECK(start > now - 3600);
  CHECK(ballast[12345] == 1);
}
