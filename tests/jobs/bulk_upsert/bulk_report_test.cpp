#include "jobs/bulk_upsert/bulk_report.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace bulkd;

namespace {

bulk_report sample() {
  bulk_report r;
  r.job = "nightly";
  r.seconds = 20;
  r.files = {"/data/a.jsonl", "/data/b.jsonl.gz"};
  auto& c = r.counts;
  c.read = 200'010;
  c.written = 200'000;
  c.dead_lettered = 6;
  c.rejected = 4;
  c.retries = 1'234;
  c.throttles = 987;
  c.rebatches = 3;
  c.routing_refreshes = 1;
  c.request_charge = 1'200'000.5;
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    out.push_back(line);
  return out;
}

} // namespace

TEST_CASE("report: JSON has the stable fields and rates", "[report]") {
  auto j = nlohmann::json::parse(to_json(sample()));
  std::set<std::string> keys;
  for (auto& [key, value] : j.items())
    keys.insert(key);
  CHECK(keys == std::set<std::string>{"job", "ok", "error", "seconds", "files", "read", "written",
                                      "dead_lettered", "rejected", "retries", "throttles",
                                      "rebatches", "routing_refreshes", "request_charge",
                                      "docs_per_second", "ru_per_second"});
  CHECK(j["job"] == "nightly");
  CHECK(j["ok"] == true);
  CHECK(j["error"].is_null());
  CHECK(j["seconds"] == 20.0);
  CHECK(j["files"] == nlohmann::json::array({"/data/a.jsonl", "/data/b.jsonl.gz"}));
  CHECK(j["read"] == 200'010);
  CHECK(j["written"] == 200'000);
  CHECK(j["dead_lettered"] == 6);
  CHECK(j["rejected"] == 4);
  CHECK(j["retries"] == 1'234);
  CHECK(j["throttles"] == 987);
  CHECK(j["rebatches"] == 3);
  CHECK(j["routing_refreshes"] == 1);
  CHECK(j["request_charge"].get<double>() == Approx(1'200'000.5));
  CHECK(j["docs_per_second"].get<double>() == Approx(10'000));
  CHECK(j["ru_per_second"].get<double>() == Approx(60'000.025));
}

TEST_CASE("report: a failed run carries its error and zero seconds gives zero rates", "[report]") {
  auto r = sample();
  r.ok = false;
  r.error = "container not found";
  r.seconds = 0;
  auto j = nlohmann::json::parse(to_json(r));
  CHECK(j["ok"] == false);
  CHECK(j["error"] == "container not found");
  CHECK(j["docs_per_second"] == 0.0);
  CHECK(j["ru_per_second"] == 0.0);
}

TEST_CASE("report: the summary is an aligned table", "[report]") {
  auto text = render_summary(sample());
  auto lines = lines_of(text);
  REQUIRE(lines.size() == 14);
  CHECK(lines[0] == "bulk-upsert nightly: ok");
  CHECK(lines[1] == "  files                      2");
  CHECK(lines[2] == "  read                 200,010");
  CHECK(lines[3] == "  written              200,000");
  CHECK(lines[4] == "  dead-lettered              6");
  CHECK(lines[10] == "  request charge     1,200,001 RU");
  CHECK(lines[11] == "  elapsed                 20.0 s");
  CHECK(lines[12] == "  docs/s                10,000");
  CHECK(lines[9] == "  routing refreshes          1");
  CHECK(lines[13] == "  RU/s                  60,000");
  CHECK(text.find("do not add up") == std::string::npos);
}

TEST_CASE("report: the summary says when counts do not add up, and the error", "[report]") {
  auto r = sample();
  r.counts.read += 5;
  r.ok = false;
  r.error = "interrupted";
  auto lines = lines_of(render_summary(r));
  CHECK(lines[0] == "bulk-upsert nightly: FAILED");
  CHECK(lines[1] == "  error: interrupted");
  CHECK(lines.back() ==
        "  counts do not add up: read 200,015 != written + dead-lettered + rejected 200,010");
}

TEST_CASE("report: progress line with rates, percent and ETA", "[report]") {
  bulk_counts c;
  c.written = 12'345;
  c.request_charge = 70'000;
  c.throttles = 1;
  c.bytes_read = 250;
  c.bytes_total = 1000;
  CHECK(render_progress_line(c, 10) ==
        "12,345 docs | 1,235 docs/s | 7,000 RU/s | 1 throttle | 25.0% | ETA 30s");
  c.bytes_read = 10;
  c.dead_lettered = 2;
  c.rejected = 1;
  c.throttles = 0;
  CHECK(render_progress_line(c, 10) ==
        "12,345 docs | 1,235 docs/s | 7,000 RU/s | 0 throttles | 3 dead-lettered | 1.0% | "
        "ETA 16m30s");
  c.bytes_read = 1;
  c.bytes_total = 100'000;
  CHECK_THAT(render_progress_line(c, 10), Catch::EndsWith("ETA 277h46m"));
  c.bytes_total = 1'000'000'000'000;
  CHECK_THAT(render_progress_line(c, 1000), Catch::EndsWith("0.0% | ETA >100d"));
  c.bytes_read = 1000;
  c.bytes_total = 1000;
  CHECK_THAT(render_progress_line(c, 10), Catch::EndsWith("100.0% | ETA 0s"));
}

TEST_CASE("report: ETA unknown before any bytes or without a total", "[report]") {
  bulk_counts c;
  CHECK(render_progress_line(c, 0) == "0 docs | 0 docs/s | 0 RU/s | 0 throttles | ETA \u2014");
  c.bytes_total = 5000;
  CHECK(render_progress_line(c, 3) ==
        "0 docs | 0 docs/s | 0 RU/s | 0 throttles | 0.0% | ETA \u2014");
  c.bytes_total = 0;
  c.bytes_read = 100;
  CHECK_THAT(render_progress_line(c, 3), Catch::EndsWith("throttles | ETA \u2014"));
}
