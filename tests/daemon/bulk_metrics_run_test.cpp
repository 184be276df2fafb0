// End-to-end: `bulkd run --metrics-listen 127.0.0.1:0` serves the job's Prometheus metrics while
// it loads a JSONL file into a `bulkd emulator --in-memory --ranges 4` under 429 faults: scrapes
// during the run parse, counters never go down, written <= read; after the run (served on thanks to
// --metrics-linger) the metrics equal the --report. Plus the refusals of bad options.
// Needs the bulkd binary (build target `bulkd` first); without it the tests only warn.

#include "tests/daemon/bulk_test_support.hpp"
#include "tests/daemon/prometheus_parser.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bulkd::test::parse_prometheus_text;
using bulkd::test::prom_document;

namespace {

using namespace bulkd::bulk_test;

/// Waits until `pattern` (one capture group) shows in the output of `proc`; "" if it exits first.
std::string wait_for_output(bulkd::test::child_process& proc, const std::regex& pattern,
                            std::chrono::seconds deadline = 60s) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    std::smatch m;
    auto out = proc.output();
    if (std::regex_search(out, m, pattern))
      return m[1];
    if (proc.wait_for(20ms))
      return {};
  }
  return {};
}

fs::path write_job(const fs::path& dir, const fs::path& input, const std::string& extra = {}) {
  auto p = dir / "job.yaml";
  write_file(p, "name: load\nkind: bulk-upsert\nsource: { path: " + input.string() +
                    ", format: jsonl }\n"
                    "target: { account: emu, database: shop, container: products, "
                    "create_if_missing: { partition_key: /pk } }\n" +
                    extra);
  return p;
}

/// GET /metrics, parsed; nullopt when the server does not answer 200.
std::optional<prom_document> scrape(int port, std::string* error) {
  httplib::Client cli{"127.0.0.1", port};
  cli.set_read_timeout(10, 0);
  auto res = cli.Get("/metrics");
  if (!res || res->status != 200)
    return std::nullopt;
  auto parsed = parse_prometheus_text(res->body);
  if (!parsed.error.empty()) {
    *error = parsed.error + "\n" + res->body;
    return std::nullopt;
  }
  return parsed.doc;
}

double value_of(const prom_document& d, const std::string& name,
                bulkd::test::prom_labels labels = {{"job", "load"}}) {
  auto v = d.value(name, std::move(labels));
  INFO(name);
  REQUIRE(v);
  return *v;
}

double documents(const prom_document& d, const std::string& outcome) {
  return value_of(d, "bulkd_documents_total", {{"job", "load"}, {"outcome", outcome}});
}

const std::vector<std::string> job_counters{
    "bulkd_documents_read_total",   "bulkd_request_charge_total", "bulkd_throttles_total",
    "bulkd_retries_total",          "bulkd_rebatches_total",      "bulkd_routing_refreshes_total",
    "bulkd_input_bytes_read_total",
};

std::map<std::string, double> counters_of(const prom_document& d) {
  std::map<std::string, double> out;
  for (auto& name : job_counters)
    out[name] = value_of(d, name);
  for (auto outcome : {"written", "dead_lettered", "rejected"})
    out[std::string{"documents/"} + outcome] = documents(d, outcome);
  out["process_cpu_seconds_total"] = value_of(d, "process_cpu_seconds_total", {});
  return out;
}

} // namespace

TEST_CASE("bulkd run --metrics-listen: live job metrics under 429s, final values equal the report",
          "[daemon][bulk_metrics]") {
  if (!have_binary())
    return;
  temp_dir dir;
  emulator emu{dir.path, {"--faults", "latency=2ms,429=0.2,retry-after=20ms"}};
  REQUIRE(emu.port > 0);
  auto config = write_config(dir.path, emu.port);
  auto input = dir.path / "docs.jsonl";
  const size_t n = 12000;
  write_docs(input, n);
  // A RU budget makes the run last several seconds however fast the machine is (about 5 RU per
  // document: 60,000 RU at 12,000 RU/s).
  auto job = write_job(dir.path, input, "rate_limit: { max_ru_per_second: 12000 }\n");
  auto report_file = dir.path / "report.json";
  bulkd::test::child_process run{{BULKD_BINARY, "run", job.string(), "--config", config.string(),
                                  "--report", report_file.string(), "--metrics-listen",
                                  "127.0.0.1:0", "--metrics-linger", "60s"},
                                 (dir.path / "run.log").string()};
  auto port_text =
      wait_for_output(run, std::regex{R"(metrics: http://127\.0\.0\.1:(\d+)/metrics)"});
  INFO(run.output());
  REQUIRE_FALSE(port_text.empty());
  int port = std::stoi(port_text);

  // Scrape while the job runs (until the report is written).
  int running_scrapes = 0;
  bool saw_progress = false; // a scrape during the run with some, not all, documents written
  std::optional<std::map<std::string, double>> previous;
  std::optional<nlohmann::json> report;
  for (int i = 0; i < 3000 && !report; ++i) {
    if (fs::exists(report_file)) {
      // The report is written before the linger; it may be half-written for a moment.
      auto text = read_file(report_file);
      if (nlohmann::json::accept(text))
        report = nlohmann::json::parse(text);
    }
    if (report)
      break;
    std::string error;
    auto doc = scrape(port, &error);
    INFO(error);
    REQUIRE(error.empty());
    REQUIRE(doc); // the server runs for the whole run
    auto now = counters_of(*doc);
    CHECK(now["documents/written"] <= now["bulkd_documents_read_total"]);
    if (previous)
      for (auto& [name, value] : now) {
        INFO(name);
        CHECK(value >= (*previous)[name]);
      }
    previous = now;
    if (value_of(*doc, "bulkd_job_running", {{"job", "load"}, {"kind", "bulk-upsert"}}) == 1) {
      ++running_scrapes;
      auto written = now["documents/written"];
      saw_progress = saw_progress || (written > 0 && written < static_cast<double>(n));
    }
    REQUIRE_FALSE(run.wait_for(300ms).has_value()); // lingers: must not exit before we are done
  }
  REQUIRE(report);
  CHECK(running_scrapes >= 2);
  CHECK(saw_progress); // the figures are updated during the run, not only at its end

  // The final figures, served during the linger.
  std::string error;
  auto last = scrape(port, &error);
  INFO(error);
  REQUIRE(last);
  REQUIRE(previous);
  for (auto& [name, value] : counters_of(*last)) {
    INFO(name);
    CHECK(value >= (*previous)[name]);
  }
  CHECK(value_of(*last, "bulkd_job_running", {{"job", "load"}, {"kind", "bulk-upsert"}}) == 0);
  CHECK((*report)["ok"] == true);
  CHECK((*report)["written"] == n);
  CHECK(documents(*last, "written") == (*report)["written"].get<double>());
  CHECK(documents(*last, "dead_lettered") == (*report)["dead_lettered"].get<double>());
  CHECK(documents(*last, "rejected") == (*report)["rejected"].get<double>());
  CHECK(value_of(*last, "bulkd_documents_read_total") == (*report)["read"].get<double>());
  CHECK(value_of(*last, "bulkd_throttles_total") == (*report)["throttles"].get<double>());
  CHECK(value_of(*last, "bulkd_throttles_total") > 0);
  CHECK(value_of(*last, "bulkd_retries_total") == (*report)["retries"].get<double>());
  CHECK(value_of(*last, "bulkd_rebatches_total") == (*report)["rebatches"].get<double>());
  CHECK(value_of(*last, "bulkd_routing_refreshes_total") ==
        (*report)["routing_refreshes"].get<double>());
  CHECK(value_of(*last, "bulkd_request_charge_total") ==
        Approx((*report)["request_charge"].get<double>()));
  CHECK(value_of(*last, "bulkd_request_charge_total") >= 5.0 * n);
  CHECK(value_of(*last, "bulkd_input_bytes_read_total") == fs::file_size(input));
  auto* in_flight = last->family("bulkd_in_flight_requests");
  REQUIRE(in_flight);
  CHECK(in_flight->samples.empty());
  CHECK(last->value("bulkd_build_info", {{"version", BULKD_VERSION}}) == 1);

  // SIGTERM ends the linger at once.
  run.signal(SIGTERM);
  auto rc = run.wait_for(30s);
  CHECK(rc == 0);
}

TEST_CASE("bulkd run --metrics-listen: bad addresses, off-loopback without a token, linger alone",
          "[daemon][bulk_metrics]") {
  if (!have_binary())
    return;
  temp_dir dir;
  auto config = write_config(dir.path, 1);
  auto input = dir.path / "docs.jsonl";
  write_docs(input, 10);
  auto job = write_job(dir.path, input);
  auto run = [&](std::vector<std::string> extra, const fs::path& cfg) {
    std::vector<std::string> args{BULKD_BINARY, "run", job.string(), "--config", cfg.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return bulkd::test::run_to_completion(args, (dir.path / "run.log").string(), 60s);
  };

  auto [rc1, out1] = run({"--metrics-listen", "127.0.0.1"}, config);
  CHECK(rc1 == 2);
  CHECK_THAT(out1, Catch::Contains("bulkd run: --metrics-listen: "));
  CHECK_THAT(out1, Catch::Contains("invalid listen address '127.0.0.1': expected host:port"));

  auto [rc2, out2] = run({"--metrics-listen", "127.0.0.1:99999"}, config);
  CHECK(rc2 == 2);
  CHECK_THAT(out2, Catch::Contains("bulkd run: --metrics-listen: "));

  auto [rc3, out3] = run({"--metrics-listen", "0.0.0.0:0"}, config);
  CHECK(rc3 == 2);
  CHECK_THAT(out3, Catch::Contains("bulkd run: --metrics-listen 0.0.0.0:0 is not loopback: set "
                                   "admin.token in the config first"));

  auto [rc4, out4] = run({"--metrics-linger", "5s"}, config);
  CHECK(rc4 == 2);
  CHECK_THAT(out4, Catch::Contains("bulkd run: --metrics-linger needs --metrics-listen"));

  auto [rc5, out5] = run({"--metrics-listen", "127.0.0.1:0", "--metrics-linger", "5"}, config);
  CHECK(rc5 == 2);
  CHECK_THAT(out5, Catch::Contains("bulkd run: --metrics-linger: "));

  // A port in use: cannot listen (exit 4), nothing runs.
  httplib::Server busy;
  int busy_port = busy.bind_to_any_port("127.0.0.1");
  REQUIRE(busy_port > 0);
  auto [rc6, out6] = run({"--metrics-listen", "127.0.0.1:" + std::to_string(busy_port)}, config);
  CHECK(rc6 == 4);
  CHECK_THAT(out6, Catch::Contains("bulkd run: --metrics-listen: "));
  CHECK_THAT(out6, Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(busy_port)));
}

TEST_CASE("bulkd run --metrics-listen: admin.token guards /metrics", "[daemon][bulk_metrics]") {
  if (!have_binary())
    return;
  temp_dir dir;
  emulator emu{dir.path, {"--faults", "latency=1ms"}};
  REQUIRE(emu.port > 0);
  auto config = write_config(dir.path, emu.port, "admin: { token: \"s3cret-token\" }\n");
  auto input = dir.path / "docs.jsonl";
  write_docs(input, 100);
  auto job = write_job(dir.path, input);
  bulkd::test::child_process run{{BULKD_BINARY, "run", job.string(), "--config", config.string(),
                                  "--metrics-listen", "127.0.0.1:0", "--metrics-linger", "60s"},
                                 (dir.path / "run.log").string()};
  auto port_text =
      wait_for_output(run, std::regex{R"(metrics: http://127\.0\.0\.1:(\d+)/metrics)"});
  INFO(run.output());
  REQUIRE_FALSE(port_text.empty());
  httplib::Client cli{"127.0.0.1", std::stoi(port_text)};
  auto denied = cli.Get("/metrics");
  REQUIRE(denied);
  CHECK(denied->status == 401);
  CHECK_THAT(denied->body, Catch::Contains("unauthorized"));
  auto allowed = cli.Get("/metrics", {{"Authorization", "Bearer s3cret-token"}});
  REQUIRE(allowed);
  CHECK(allowed->status == 200);
  auto parsed = parse_prometheus_text(allowed->body);
  CHECK(parsed.error == "");
  CHECK(parsed.doc.family("bulkd_job_running"));
  // Stop it once the job is done (the summary is printed before the linger).
  CHECK_FALSE(wait_for_output(run, std::regex{R"((written)\s+100\b)"}).empty());
  run.signal(SIGTERM);
  CHECK(run.wait_for(30s) == 0);
}
