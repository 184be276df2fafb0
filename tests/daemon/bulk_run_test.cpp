// End-to-end: `bulkd run JOB.yaml` loads JSONL files into a `bulkd emulator --in-memory --ranges 4`
// started as a process, and the container ends with exactly the documents of the input (checked
// with a COUNT query): plain, with bad lines, under injected faults, after kill -9 and a rerun.
// Needs the bulkd binary (build target `bulkd` first); without it the tests only warn.
//
// The large runs (200,000 documents under faults; a 2 GiB file for memory) are tagged
// "[bulk_slow]"; with BULKD_FIGURES set they append their measurements to that file, which
// scripts/test prints after ctest.

#include "tests/daemon/bulk_test_support.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <tuple>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using namespace bulkd::bulk_test;

struct run_env {
  temp_dir dir;
  std::unique_ptr<emulator> emu;

  explicit run_env(std::vector<std::string> faults = {}) {
    emu = std::make_unique<emulator>(dir.path, std::move(faults));
    write_config(dir.path, emu->port);
  }

  fs::path job(const std::string& input, const std::string& extra = {},
               const std::string& checkpoint_interval = "1s") {
    auto p = dir.path / "job.yaml";
    write_file(p, "name: load\nkind: bulk-upsert\nsource: { path: " + input +
                      ", format: jsonl }\n"
                      "target: { account: emu, database: shop, container: products, "
                      "create_if_missing: { partition_key: /pk } }\n"
                      "checkpoint_interval: " +
                      checkpoint_interval + "\n" + extra);
    return p;
  }

  std::vector<std::string> run_args(const fs::path& job) const {
    return {BULKD_BINARY,
            "run",
            job.string(),
            "--config",
            (dir.path / "bulkd.yaml").string(),
            "--report",
            (dir.path / "report.json").string()};
  }

  /// Runs the job and also returns the bulkd process's own peak RSS in MiB.
  std::tuple<int, std::string, double> run_measured(const fs::path& job,
                                                    std::chrono::seconds deadline) {
    bulkd::test::child_process p{run_args(job), (dir.path / "run.log").string()};
    auto rc = p.wait_for(deadline);
    return {rc.value_or(-1), p.output(), static_cast<double>(p.peak_rss_kib()) / 1024.0};
  }

  std::pair<int, std::string> run(const fs::path& job, std::chrono::seconds deadline = 120s) {
    return bulkd::test::run_to_completion(run_args(job), (dir.path / "run.log").string(), deadline);
  }

  nlohmann::json report() const {
    return nlohmann::json::parse(read_file(dir.path / "report.json"));
  }

  std::string dead_letters() const {
    auto p = dir.path / "state" / "dead-letter" / "load.jsonl";
    return fs::exists(p) ? read_file(p) : std::string{};
  }
};

} // namespace

TEST_CASE("bulkd run: every document lands once, a rerun of the finished file loads nothing",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  write_docs(input, 3000);
  auto job = env.job(input.string());
  auto [rc, out] = env.run(job);
  INFO(out);
  CHECK(rc == 0);
  auto r = env.report();
  CHECK(r["ok"] == true);
  CHECK(r["read"] == 3000);
  CHECK(r["written"] == 3000);
  CHECK(r["dead_lettered"] == 0);
  CHECK(env.emu->count() == 3000);
  auto cp = nlohmann::json::parse(read_file(env.dir.path / "state/checkpoints/load.json"));
  CHECK(cp["files"][0]["finished"] == true);

  auto [rc2, out2] = env.run(job);
  INFO(out2);
  CHECK(rc2 == 0);
  CHECK(env.report()["read"] == 0);
  CHECK(env.emu->count() == 3000);
}

TEST_CASE("bulkd run: bad lines are dead-lettered with their line numbers, the rest load",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  write_docs(input, 1000, 50, {11, 500, 1000});
  auto [rc, out] = env.run(env.job(input.string()));
  INFO(out);
  CHECK(rc == 1); // some records did not load
  auto r = env.report();
  CHECK(r["read"] == 1000);
  CHECK(r["written"] == 997);
  CHECK(r["rejected"] == 3);
  CHECK(env.emu->count() == 997);
  auto dl = env.dead_letters();
  std::set<uint64_t> lines;
  std::istringstream in{dl};
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    lines.insert(j["line"].get<uint64_t>());
    CHECK(j["source_file"] == input.string());
    CHECK_THAT(j["message"].get<std::string>(), Catch::Contains("invalid JSON"));
  }
  CHECK(lines == std::set<uint64_t>{11, 500, 1000});
}

TEST_CASE("bulkd run: 429, 503 and resets are retried, the count is exact, no dead letters",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env{{"--faults", "429=0.2,503=0.05,reset=0.01,retry-after=20ms"}};
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  write_docs(input, 5000);
  auto [rc, out] = env.run(env.job(input.string()), 240s);
  INFO(out);
  CHECK(rc == 0);
  auto r = env.report();
  CHECK(r["written"] == 5000);
  CHECK(r["retries"].get<uint64_t>() > 0);
  CHECK(env.dead_letters().empty());
  CHECK(env.emu->count() == 5000);
}

TEST_CASE("bulkd run: create of existing ids dead-letters each with 409", "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  write_docs(input, 300);
  auto job = env.job(input.string(), "operation: create\n");
  auto [rc, out] = env.run(job);
  INFO(out);
  CHECK(rc == 0);
  fs::remove(env.dir.path / "state/checkpoints/load.json");
  auto [rc2, out2] = env.run(job);
  CHECK(rc2 == 1);
  auto r = env.report();
  CHECK(r["dead_lettered"] == 300);
  auto dl = env.dead_letters();
  auto first = nlohmann::json::parse(dl.substr(0, dl.find('\n')));
  CHECK(first["status"] == 409);
  CHECK_THAT(first["message"].get<std::string>(), Catch::Contains("conflict"));
  CHECK(env.emu->count() == 300);
}

// The bound on what a rerun after kill -9 sends again. The checkpoint is written whenever a file's
// settled point moves (one write at a time, the newest state next), so a rerun starts at the
// settled point of the last completed write and resends the records handed out after it. The
// records handed out and not settled are at most (reader, channels and workers of the spec, see
// credit_channel.hpp, bulk_reader_actor.hpp, range_worker_actor.cpp):
//   max_in_flight x batch                  operations in requests in flight, over all ranges
// + ranges x mailbox x batch               records in unacknowledged reader batches (a worker
//                                          acknowledges a batch once it has sent its records)
// + ranges x batch + chunk                 records in the reader's channel buffers: a chunk is read
//                                          only while every buffer holds less than one batch, and
//                                          then pushed into them whole
// Records settled out of order after the oldest unsettled one are resent too; without faults the
// responses come back in about the order of the requests, so these are already counted above.
// The job writes after each response, so the lag of the last completed write (at most two writes,
// a few milliseconds each) adds a few responses: `slack` is 10 requests.
struct resend_window {
  uint64_t max_in_flight, mailbox, batch, ranges, chunk;
  uint64_t slack_requests = 10;
  uint64_t records() const {
    return max_in_flight * batch + ranges * mailbox * batch + ranges * batch + chunk +
           slack_requests * batch;
  }
};

TEST_CASE("bulkd run: kill -9 in the middle, rerun: resends at most the in-flight window, exact "
          "count",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  const size_t n = 80000;
  write_docs(input, n, 300);
  // checkpoint_interval is long on purpose: the bound must come from writing on every move of
  // the settled point, not from the periodic write.
  resend_window window{4, 2, 100, 4, 1000};
  auto job = env.job(input.string(),
                     "operation: create\n"
                     "concurrency: { max_in_flight: 4, mailbox: 2, batch: 100 }\n",
                     "1h");
  long partial = 0;
  {
    bulkd::test::child_process p{env.run_args(job), (env.dir.path / "run1.log").string()};
    // Kill once some documents are in (the COUNT query itself takes a while as they grow).
    for (int i = 0; i < 3000 && partial < 8000; ++i) {
      std::this_thread::sleep_for(20ms);
      partial = env.emu->count();
      if (p.wait_for(0ms))
        break;
    }
    p.signal(SIGKILL);
    auto rc = p.wait_for(10s);
    REQUIRE(rc);
    REQUIRE(*rc == 128 + SIGKILL); // the run must have been killed in the middle
  }
  partial = env.emu->count();
  INFO("documents after the kill: " << partial);
  REQUIRE(partial > 0);
  REQUIRE(partial < static_cast<long>(n));
  auto [rc, out] = env.run(job, 300s);
  INFO(out);
  // Every document the rerun sends again was created by the first run: it comes back 409.
  auto r = env.report();
  auto resent = r["dead_lettered"].get<uint64_t>();
  INFO("resent (409 in the rerun): " << resent << ", window: " << window.records());
  CHECK(rc == (resent > 0 ? 1 : 0));
  CHECK(resent <= window.records());
  std::istringstream dl{env.dead_letters()};
  uint64_t conflicts = 0;
  for (std::string line; std::getline(dl, line);)
    if (nlohmann::json::parse(line)["status"] == 409)
      ++conflicts;
  CHECK(conflicts == resent);
  CHECK(r["written"].get<uint64_t>() + resent == r["read"].get<uint64_t>());
  CHECK(env.emu->count() == static_cast<long>(n));
}

TEST_CASE("bulkd run: a checkpoint written with other reading settings refuses the run",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  write_docs(input, 200, 20);
  auto [rc, out] = env.run(env.job(input.string()));
  INFO(out);
  REQUIRE(rc == 0);
  auto cp = (env.dir.path / "state/checkpoints/load.json").string();
  auto changed = env.job(input.string(), "id_path: /key\ngenerate_id: true\n");
  auto [rc2, out2] = env.run(changed);
  INFO(out2);
  CHECK(rc2 != 0);
  auto why = "checkpoint " + cp +
             " was written with other input settings (id_path: \"/id\" -> \"/key\"; generate_id: "
             "false -> true): its offsets do not fit the job any more. Delete " +
             cp + " to load every input file from the beginning again";
  CHECK_THAT(out2, Catch::Contains(why));
  CHECK_THAT(env.report()["error"].get<std::string>(), Catch::Contains(why));
  CHECK(env.emu->count() == 200);
  // As the message says: without the checkpoint the run starts over (the same documents again).
  fs::remove(cp);
  auto [rc3, out3] = env.run(changed);
  INFO(out3);
  CHECK(rc3 == 0);
  CHECK(env.report()["read"] == 200);
  CHECK(env.emu->count() == 200);
}

TEST_CASE("bulkd run: SIGTERM drains, writes the checkpoint, and the rerun completes",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  const size_t n = 60000;
  write_docs(input, n, 600);
  auto job = env.job(input.string(), "operation: create\n");
  {
    bulkd::test::child_process p{env.run_args(job), (env.dir.path / "run1.log").string()};
    auto cp = env.dir.path / "state/checkpoints/load.json";
    for (int i = 0; i < 600 && !fs::exists(cp); ++i)
      std::this_thread::sleep_for(50ms);
    p.signal(SIGTERM);
    auto rc = p.wait_for(60s);
    REQUIRE(rc);
    INFO(p.output());
    if (*rc == 0)
      WARN("the first run finished before SIGTERM");
    else
      CHECK(*rc == 1);
  }
  // operation: create makes a re-sent document a 409 dead letter: a drained stop re-sends none.
  auto [rc, out] = env.run(job, 300s);
  INFO(out);
  CHECK(rc == 0);
  CHECK(env.dead_letters().empty());
  CHECK(env.emu->count() == static_cast<long>(n));
}

TEST_CASE("bulkd run: range splits during the load lose and duplicate nothing",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  const size_t n = 60000;
  write_docs(input, n, 600);
  // operation: create makes a document sent twice a 409 dead letter.
  auto job = env.job(input.string(), "operation: create\n");
  bulkd::test::child_process p{env.run_args(job), (env.dir.path / "run1.log").string()};
  auto cp = env.dir.path / "state/checkpoints/load.json";
  for (int i = 0; i < 600 && !fs::exists(cp); ++i)
    std::this_thread::sleep_for(50ms);
  httplib::Client cli{"127.0.0.1", env.emu->port};
  auto split = [&](const std::string& range) {
    auto res =
        cli.Post("/_emulator/split", R"({"db":"shop","coll":"products","range":")" + range + "\"}",
                 "application/json");
    return res ? res->status : -1;
  };
  CHECK(split("0") == 200);
  std::this_thread::sleep_for(300ms);
  CHECK(split("2") == 200);
  auto rc = p.wait_for(300s);
  REQUIRE(rc);
  INFO(p.output());
  CHECK(*rc == 0);
  auto r = env.report();
  CHECK(r["written"] == n);
  if (r["routing_refreshes"] == 0)
    WARN("the load ended before the splits took effect: no re-routing was exercised");
  CHECK(env.dead_letters().empty());
  CHECK(env.emu->count() == static_cast<long>(n));
}

TEST_CASE("bulkd run: rate_limit.max_ru_per_second holds the charges to the budget",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  write_docs(input, 4000, 100);
  auto [rc, out] = env.run(env.job(input.string(), "rate_limit: { max_ru_per_second: 5000 }\n"));
  INFO(out);
  CHECK(rc == 0);
  auto r = env.report();
  CHECK(r["written"] == 4000);
  auto charge = r["request_charge"].get<double>();
  CHECK(charge > 10000);
  // The bucket starts with one second of budget; the rest is paid at 5000 RU/s.
  CHECK(r["seconds"].get<double>() >= (charge - 5000) / 5000 * 0.8);
  CHECK(env.emu->count() == 4000);
}

TEST_CASE("bulkd run: a missing container without create_if_missing fails the run",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  write_docs(input, 10);
  auto job = env.dir.path / "plain.yaml";
  write_file(job, "name: load\nkind: bulk-upsert\nsource: { path: " + input.string() +
                      " }\ntarget: { account: emu, database: shop, container: nope }\n");
  auto [rc, out] = env.run(job);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("container dbs/shop/colls/nope does not exist"));
  CHECK(env.report()["ok"] == false);
}

TEST_CASE("bulkd run: HTTPS endpoints need tls.ca_file (or fail at once with a clear message)",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  temp_dir dir;
  emulator emu{dir.path, {"--tls"}};
  REQUIRE(emu.port > 0);
  REQUIRE_FALSE(emu.cert_file.empty());
  auto input = dir.path / "docs.jsonl";
  write_docs(input, 500);
  auto config = [&](const std::string& tls) {
    write_file(dir.path / "bulkd.yaml",
               "state_dir: " + (dir.path / "state").string() +
                   "\naccounts:\n  emu:\n    endpoint: \"https://127.0.0.1:" +
                   std::to_string(emu.port) + "\"\n    key: \"" + emulator_key + "\"\n" + tls);
  };
  write_file(dir.path / "job.yaml",
             "name: load\nkind: bulk-upsert\nsource: { path: " + input.string() +
                 " }\ntarget: { account: emu, database: shop, container: products, "
                 "create_if_missing: { partition_key: /pk } }\n");
  std::vector<std::string> args{BULKD_BINARY, "run", (dir.path / "job.yaml").string(), "--config",
                                (dir.path / "bulkd.yaml").string()};
  config("");
  auto [rc, out] = bulkd::test::run_to_completion(args, (dir.path / "run1.log").string(), 60s);
  CHECK(rc == 1);
  CHECK_THAT(out, Catch::Contains("tls_error") && Catch::Contains("tls.ca_file"));
  config("    tls: { ca_file: " + emu.cert_file + " }\n");
  auto [rc2, out2] = bulkd::test::run_to_completion(args, (dir.path / "run2.log").string(), 120s);
  INFO(out2);
  CHECK(rc2 == 0);
  CHECK_THAT(out2, Catch::Contains("500"));
}

TEST_CASE("bulkd run: key-backup jobs run too, with their own summary and report",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  temp_dir dir;
  emulator emu{dir.path};
  REQUIRE(emu.port > 0);
  auto origin = "http://127.0.0.1:" + std::to_string(emu.port);
  write_file(dir.path / "bulkd.yaml",
             "state_dir: " + (dir.path / "state").string() + "\nvaults:\n  dev:\n    url: \"" +
                 origin +
                 "\"\n    credential: { type: client-secret, tenant_id: "
                 "\"00000000-0000-0000-0000-000000000000\", client_id: bulkd-dev, "
                 "client_secret: bulkd-dev-secret, authority_host: \"" +
                 origin + "\" }\n");
  write_file(dir.path / "job.yaml", "name: keys\nkind: key-backup\nvault: dev\ndestination: { "
                                    "path: " +
                                        (dir.path / "backups").string() + " }\n");
  auto report = dir.path / "report.json";
  auto [rc, out] = bulkd::test::run_to_completion(
      {BULKD_BINARY, "run", (dir.path / "job.yaml").string(), "--config",
       (dir.path / "bulkd.yaml").string(), "--report", report.string()},
      (dir.path / "run.log").string());
  INFO(out);
  CHECK(rc == 0);
  CHECK_THAT(out, Catch::Contains("key-backup keys: ok"));
  auto r = nlohmann::json::parse(read_file(report));
  CHECK(r["kind"] == "key-backup");
  CHECK(r["ok"] == true);
  CHECK(r["error"].is_null());
}

TEST_CASE("bulkd run: a bad job file exits 2, an exec sink (not built) exits 3",
          "[daemon][bulk_run]") {
  if (!have_binary())
    return;
  temp_dir dir;
  write_file(dir.path / "bulkd.yaml", "state_dir: " + (dir.path / "state").string() +
                                          "\naccounts:\n  emu: { endpoint: "
                                          "\"http://127.0.0.1:1\", key: \"" +
                                          emulator_key + "\" }\n");
  write_file(dir.path / "bad.yaml", "name: x\nkind: bulk-upsert\nsource: { path: /x }\nbogus: 1\n");
  auto [rc, out] =
      bulkd::test::run_to_completion({BULKD_BINARY, "run", (dir.path / "bad.yaml").string(),
                                      "--config", (dir.path / "bulkd.yaml").string()},
                                     (dir.path / "bad.log").string());
  CHECK(rc == 2);
  CHECK_THAT(out, Catch::Contains("bogus"));
  write_file(dir.path / "feed.yaml",
             "name: f\nkind: change-feed\nsource: { account: emu, database: d, container: c }\n"
             "sink: { type: exec, command: [\"/bin/cat\"] }\n");
  auto [rc3, out3] =
      bulkd::test::run_to_completion({BULKD_BINARY, "run", (dir.path / "feed.yaml").string(),
                                      "--config", (dir.path / "bulkd.yaml").string()},
                                     (dir.path / "feed.log").string());
  INFO(out3);
  CHECK(rc3 == 3);
  CHECK_THAT(out3, Catch::Contains("exec sink"));
}

#ifdef BULKD_SANITIZED
// Under ASan the peak RSS says nothing about bulkd (shadow memory, quarantine): the memory bars
// are checked by the normal build, and the 2 GiB load shrinks to keep within ctest's timeout.
constexpr bool check_memory = false;
constexpr size_t big_file_docs = 32'768; // 128 MiB
#else
constexpr bool check_memory = true;
constexpr size_t big_file_docs = 524'288; // documents of 4 KiB: 2 GiB
#endif

TEST_CASE("bulkd run: 200,000 documents under faults land exactly", "[daemon][bulk_slow]") {
  if (!have_binary())
    return;
  run_env env{{"--faults", "429=0.2,503=0.05,reset=0.01"}};
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "docs.jsonl";
  const size_t n = 200000;
  write_docs(input, n, 900);
  auto started = std::chrono::steady_clock::now();
  auto [rc, out, peak_mib] = env.run_measured(env.job(input.string()), 900s);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(out);
  CHECK(rc == 0);
  if (check_memory)
    CHECK(peak_mib < 150);
  CHECK(env.dead_letters().empty());
  CHECK(env.emu->count() == static_cast<long>(n));
  WARN("200,000 documents under faults: " << secs << " s, "
                                          << env.report()["docs_per_second"].get<double>()
                                          << " docs/s, bulkd peak RSS " << peak_mib << " MiB");
  std::ostringstream figure;
  figure << "bulkd run, 200,000 documents under --faults 429=0.2,503=0.05,reset=0.01: " << secs
         << " s, " << env.report()["docs_per_second"].get<double>() << " docs/s, peak RSS "
         << peak_mib << " MiB, count " << n << " exact";
  report_figure(figure.str());
}

TEST_CASE("bulkd run: a 2 GiB JSONL file loads with peak RSS below 150 MB", "[daemon][bulk_slow]") {
  if (!have_binary())
    return;
  run_env env;
  REQUIRE(env.emu->port > 0);
  auto input = env.dir.path / "big.jsonl";
  const size_t n = big_file_docs;
  write_docs(input, n, 4060);
  auto bytes = fs::file_size(input);
  REQUIRE(bytes >= n * 4096);
  auto started = std::chrono::steady_clock::now();
  auto [rc, out, peak_mib] = env.run_measured(env.job(input.string()), 1200s);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fs::remove(input);
  INFO(out);
  CHECK(rc == 0);
  if (check_memory)
    CHECK(peak_mib < 150);
  CHECK(env.dead_letters().empty());
  CHECK(env.emu->count() == static_cast<long>(n));
  std::ostringstream figure;
  figure << "bulkd run, " << bytes / (1 << 20) << " MiB JSONL (" << n
         << " documents of 4 KiB): " << secs << " s, peak RSS " << peak_mib << " MiB (bar: 150)";
  report_figure(figure.str());
}
