// End-to-end: `bulkd serve` with a bulk-upsert job against a `bulkd emulator` child; the job runs
// when triggered through the admin API (or `bulkd trigger`), its run is watched through the API
// and the CLI verbs, a cancel drains it with the checkpoint written, SIGTERM during a run exits 0,
// and the next run after a restart loads exactly the rest.

#include "tests/daemon/bulk_test_support.hpp"
#include "tests/support/fake_systemd.hpp"

using namespace bulkd::bulk_test;
using nlohmann::json;

namespace {

struct serve_env {
  temp_dir dir;
  std::unique_ptr<emulator> emu;
  bulkd::test::fake_systemd systemd;
  std::unique_ptr<bulkd::test::child_process> serve;
  int port = 0;
  int serves = 0;

  explicit serve_env(size_t docs, std::vector<std::string> emulator_args = {}) {
    emu = std::make_unique<emulator>(dir.path, std::move(emulator_args));
    REQUIRE(emu->port > 0);
    fs::create_directories(dir.path / "in");
    fs::create_directories(dir.path / "jobs.d");
    write_docs(dir.path / "in/docs.jsonl", docs);
    write_file(
        dir.path / "jobs.d/load.yaml",
        "name: load\nkind: bulk-upsert\nsource: { path: " + (dir.path / "in/*.jsonl").string() +
            ", format: jsonl }\n"
            "target: { account: emu, database: shop, container: products, "
            "create_if_missing: { partition_key: /pk } }\n"
            "concurrency: { max_in_flight: 4, batch: 20 }\n");
    write_config(dir.path, emu->port, "jobs_dir: " + (dir.path / "jobs.d").string() + "\n");
  }

  void start() {
    ++serves;
    serve = std::make_unique<bulkd::test::child_process>(
        std::vector<std::string>{BULKD_BINARY, "serve", "--config",
                                 (dir.path / "bulkd.yaml").string(), "--admin-listen",
                                 "127.0.0.1:0"},
        (dir.path / ("serve" + std::to_string(serves) + ".log")).string(),
        std::vector<std::string>{"NOTIFY_SOCKET=" + systemd.address()});
    auto ready = systemd.receive_until("READY=1");
    INFO(serve->output());
    std::smatch m;
    REQUIRE(std::regex_search(ready, m, std::regex{R"(admin API on port (\d+))"}));
    port = std::stoi(m[1]);
  }

  int stop() {
    serve->signal(SIGTERM);
    auto rc = serve->wait_for(60s);
    return rc.value_or(-1);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  httplib::Client client() const {
    httplib::Client c{"127.0.0.1", port};
    c.set_read_timeout(30, 0);
    return c;
  }

  /// GET /v1/runs/ID until the run has ended; the run's JSON.
  json wait_run(uint64_t id, std::chrono::seconds deadline = 120s) {
    auto c = client();
    auto until = std::chrono::steady_clock::now() + deadline;
    json run;
    while (std::chrono::steady_clock::now() < until) {
      auto res = c.Get(("/v1/runs/" + std::to_string(id)).c_str());
      REQUIRE(res);
      REQUIRE(res->status == 200);
      run = json::parse(res->body);
      if (run["state"] != "pending" && run["state"] != "running")
        return run;
      std::this_thread::sleep_for(100ms);
    }
    FAIL("run " << id << " did not end: " << run.dump());
    return run;
  }

  /// Runs a CLI verb against this daemon; {exit code, output}.
  std::pair<int, std::string> cli(std::vector<std::string> args) {
    std::vector<std::string> argv{BULKD_BINARY};
    for (auto& a : args)
      argv.push_back(a);
    argv.push_back("--admin");
    argv.push_back(url());
    static int n = 0;
    return bulkd::test::run_to_completion(
        argv, (dir.path / ("cli" + std::to_string(++n) + ".log")).string(), 30s);
  }
};

} // namespace

TEST_CASE("serve: a bulk-upsert job triggered through the API runs to succeeded, the CLI verbs "
          "show it",
          "[daemon][serve_jobs]") {
  if (!have_binary())
    return;
  serve_env env{2000};
  env.start();
  auto c = env.client();

  auto list = c.Get("/v1/jobs");
  REQUIRE(list);
  auto jobs = json::parse(list->body)["jobs"];
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0]["name"] == "load");
  CHECK(jobs[0]["mode"] == "on-demand");
  CHECK(jobs[0]["state"] == "idle");

  auto started = c.Post("/v1/jobs/load/run");
  REQUIRE(started);
  CHECK(started->status == 202);
  auto id = json::parse(started->body)["run"].get<uint64_t>();
  auto run = env.wait_run(id);
  INFO(run.dump());
  CHECK(run["state"] == "succeeded");
  CHECK(run["trigger"] == "api");
  CHECK(run["error"].is_null());
  CHECK(run["counts"]["read"] == 2000);
  CHECK(run["counts"]["written"] == 2000);
  CHECK(run["counts"]["dead_lettered"] == 0);
  CHECK(env.emu->count() == 2000);

  auto [rc_jobs, jobs_out] = env.cli({"jobs"});
  INFO(jobs_out);
  CHECK(rc_jobs == 0);
  CHECK_THAT(jobs_out, Catch::Contains("NAME") && Catch::Contains("LAST RUN"));
  CHECK(std::regex_search(jobs_out, std::regex{R"(load\s+bulk-upsert\s+on-demand\s+-\s+idle\s+)" +
                                               std::to_string(id) + " succeeded"}));

  auto [rc_status, status_out] = env.cli({"status", "load"});
  INFO(status_out);
  CHECK(rc_status == 0);
  CHECK_THAT(status_out, Catch::Contains("kind         bulk-upsert"));
  CHECK_THAT(status_out, Catch::Contains("written=2000"));
  CHECK(std::regex_search(status_out,
                          std::regex{"  " + std::to_string(id) + R"(\s+succeeded\s+api)"}));

  auto [rc_json, json_out] = env.cli({"status", "load", "--json"});
  CHECK(rc_json == 0);
  CHECK(json::parse(json_out)["last_runs"][0]["counts"]["written"] == 2000);

  auto [rc_unknown, unknown_out] = env.cli({"trigger", "nope"});
  CHECK(rc_unknown == 1);
  CHECK_THAT(unknown_out, Catch::Contains("bulkd trigger: no job named 'nope' (HTTP 404)"));
  auto [rc_idle, idle_out] = env.cli({"cancel", "load"});
  CHECK(rc_idle == 1);
  CHECK_THAT(idle_out, Catch::Contains("job 'load' has no run going; there is nothing to cancel"));
  auto [rc_done, done_out] = env.cli({"cancel", std::to_string(id)});
  CHECK(rc_done == 1);
  CHECK_THAT(done_out, Catch::Contains("of job 'load' has finished already (run " +
                                       std::to_string(id) + " succeeded at "));
  CHECK_THAT(done_out, Catch::Contains("(HTTP 409)"));
  auto [rc_bad, bad_out] = env.cli({"cancel", "a/b"});
  CHECK(rc_bad == 2);
  CHECK_THAT(bad_out, Catch::Contains("'a/b' is not a job name or run id"));

  auto unreachable =
      bulkd::test::run_to_completion({BULKD_BINARY, "jobs", "--admin", "http://127.0.0.1:1"},
                                     (env.dir.path / "unreachable.log").string(), 30s);
  CHECK(unreachable.first == 4);
  CHECK_THAT(unreachable.second,
             Catch::Contains("cannot reach the admin API at http://127.0.0.1:1"));

  auto metrics = c.Get("/metrics");
  REQUIRE(metrics);
  CHECK_THAT(metrics->body,
             Catch::Contains(R"(bulkd_job_running{job="load",kind="bulk-upsert"} 0)"));

  CHECK(env.stop() == 0);
}

TEST_CASE("serve: cancel drains a bulk run with its checkpoint, SIGTERM during a run exits 0, and "
          "the run after a restart loads the rest exactly",
          "[daemon][serve_jobs]") {
  if (!have_binary())
    return;
  constexpr long total = 20000;
  serve_env env{total, {"--faults", "latency=20ms"}};
  env.start();

  auto [rc_trigger, trigger_out] = env.cli({"trigger", "load"});
  INFO(trigger_out);
  REQUIRE(rc_trigger == 0);
  std::smatch m;
  REQUIRE(std::regex_search(trigger_out, m, std::regex{R"(job load: run (\d+) started)"}));
  auto id = std::stoull(m[1]);

  // Cancel once some documents are in.
  auto c = env.client();
  for (int i = 0; i < 600; ++i) {
    auto res = c.Get("/v1/jobs/load");
    REQUIRE(res);
    auto j = json::parse(res->body);
    if (j["current"].is_object() && j["current"]["counts"].value("written", 0) > 0)
      break;
    std::this_thread::sleep_for(50ms);
  }
  auto [rc_cancel, cancel_out] = env.cli({"cancel", "load"});
  INFO(cancel_out);
  CHECK(rc_cancel == 0);
  CHECK_THAT(cancel_out, Catch::Contains("job load: cancelling run " + std::to_string(id)));
  auto run = env.wait_run(id);
  INFO(run.dump());
  CHECK(run["state"] == "cancelled");
  CHECK_THAT(run["error"].get<std::string>(),
             Catch::StartsWith("cancelled (through the admin API)"));
  auto written = run["counts"]["written"].get<long>();
  CHECK(written > 0);
  CHECK(written < total);
  CHECK(env.emu->count() == written); // drained: every document sent was counted

  // SIGTERM while the next run goes on: the daemon drains it and exits 0.
  auto second = json::parse(c.Post("/v1/jobs/load/run")->body)["run"].get<uint64_t>();
  for (int i = 0; i < 600; ++i) {
    auto j = json::parse(c.Get(("/v1/runs/" + std::to_string(second)).c_str())->body);
    if (j["counts"].value("written", 0) > 0 || j["state"] != "running")
      break;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(env.stop() == 0);
  auto after_stop = env.emu->count();
  CHECK(after_stop >= written);

  // The next run resumes from the checkpoint: all documents are in at the end, each once.
  env.start();
  auto c2 = env.client();
  auto third = json::parse(c2.Post("/v1/jobs/load/run")->body)["run"].get<uint64_t>();
  auto last = env.wait_run(third);
  INFO(last.dump());
  CHECK(last["state"] == "succeeded");
  CHECK(last["counts"]["written"].get<long>() <= total - after_stop + 4 * 100);
  CHECK(env.emu->count() == total);
  CHECK(env.stop() == 0);
}

TEST_CASE("serve: SIGHUP reloads the jobs directory, a broken one is refused as a whole",
          "[daemon][serve_jobs]") {
  if (!have_binary())
    return;
  serve_env env{10};
  env.start();
  auto names = [&] {
    auto res = env.client().Get("/v1/jobs");
    REQUIRE(res);
    std::vector<std::string> out;
    auto body = json::parse(res->body);
    for (auto& j : body["jobs"])
      out.push_back(j["name"]);
    return out;
  };
  auto wait_names = [&](const std::vector<std::string>& want) {
    for (int i = 0; i < 200 && names() != want; ++i)
      std::this_thread::sleep_for(50ms);
    return names();
  };
  CHECK(names() == std::vector<std::string>{"load"});

  write_file(env.dir.path / "jobs.d/more.yaml",
             "name: more\nkind: bulk-upsert\nschedule: \"0 3 * * *\"\nsource: { path: " +
                 (env.dir.path / "in/*.jsonl").string() +
                 " }\ntarget: { account: emu, database: shop, container: other }\n");
  env.serve->signal(SIGHUP);
  CHECK(!env.systemd.receive_until("RELOADING=1").empty());
  auto ready = env.systemd.receive_until("READY=1");
  CHECK_THAT(ready, Catch::Contains("jobs reloaded: 1 added, 0 removed, 0 changed"));
  CHECK(wait_names({"load", "more"}) == std::vector<std::string>{"load", "more"});
  auto more = json::parse(env.client().Get("/v1/jobs/more")->body);
  CHECK(more["mode"] == "scheduled");
  CHECK(more["schedule"] == "0 3 * * *");

  write_file(env.dir.path / "jobs.d/broken.yaml", "name: broken\nkind: bulk-upsert\nbogus: 1\n");
  fs::remove(env.dir.path / "jobs.d/more.yaml");
  env.serve->signal(SIGHUP);
  CHECK(!env.systemd.receive_until("RELOADING=1").empty());
  CHECK_THAT(env.systemd.receive_until("READY=1"), Catch::Contains("reload refused"));
  CHECK(names() == std::vector<std::string>{"load", "more"}); // the running set stays
  CHECK_THAT(env.serve->output(), Catch::Contains("reload refused: the jobs directory has errors"));
  CHECK_THAT(env.serve->output(), Catch::Contains("broken.yaml"));

  fs::remove(env.dir.path / "jobs.d/broken.yaml");
  env.serve->signal(SIGHUP);
  CHECK_THAT(env.systemd.receive_until("READY=1"),
             Catch::Contains("jobs reloaded: 0 added, 1 removed, 0 changed"));
  CHECK(wait_names({"load"}) == std::vector<std::string>{"load"});
  CHECK(env.stop() == 0);
}

TEST_CASE("serve: a change-feed job added by SIGHUP starts at once, delivers every change, shows "
          "live counts and stops on cancel",
          "[daemon][serve_jobs]") {
  if (!have_binary())
    return;
  serve_env env{1500};
  env.start();
  auto c = env.client();
  auto load = json::parse(c.Post("/v1/jobs/load/run")->body)["run"].get<uint64_t>();
  REQUIRE(env.wait_run(load)["state"] == "succeeded");

  auto out = env.dir.path / "feed/out.jsonl";
  write_file(env.dir.path / "jobs.d/feed.yaml",
             "name: feed\nkind: change-feed\n"
             "source: { account: emu, database: shop, container: products, start_from: beginning "
             "}\nleases: { store: file }\npoll_interval: 100ms\nmax_batch: 100\n"
             "sink: { type: jsonl, path: " +
                 out.string() + " }\n");
  env.serve->signal(SIGHUP);
  CHECK_THAT(env.systemd.receive_until("READY=1"),
             Catch::Contains("jobs reloaded: 1 added, 0 removed, 0 changed"));

  json feed;
  for (int i = 0; i < 600; ++i) {
    auto res = c.Get("/v1/jobs/feed");
    REQUIRE(res);
    feed = json::parse(res->body);
    if (feed["current"].is_object() && feed["current"]["counts"].value("delivered", 0) >= 1500)
      break;
    std::this_thread::sleep_for(100ms);
  }
  INFO(feed.dump());
  CHECK(feed["mode"] == "continuous");
  CHECK(feed["state"] == "running");
  REQUIRE(feed["current"].is_object());
  CHECK(feed["current"]["trigger"] == "start");
  CHECK(feed["current"]["live"] == true);
  CHECK(feed["current"]["counts"]["delivered"] == 1500);
  std::istringstream lines{read_file(out)};
  std::set<std::string> ids;
  for (std::string line; std::getline(lines, line);)
    ids.insert(json::parse(line)["id"].get<std::string>());
  CHECK(ids.size() == 1500);
  // `bulkd status` shows each range's lag (known once checkpointed).
  std::string status_out;
  for (int i = 0; i < 100; ++i) {
    auto [rc_status, text] = env.cli({"status", "feed"});
    CHECK(rc_status == 0);
    status_out = text;
    if (std::regex_search(status_out, std::regex{R"(\n  0 +reading +\d+ +0 +0 s)"}))
      break;
    std::this_thread::sleep_for(100ms);
  }
  INFO(status_out);
  CHECK_THAT(status_out, Catch::Contains("LAG ITEMS"));
  CHECK(std::regex_search(status_out, std::regex{R"(\n  0 +reading +\d+ +0 +0 s)"}));

  auto run = feed["current"]["id"].get<uint64_t>();
  auto [rc, text] = env.cli({"cancel", "feed"});
  INFO(text);
  CHECK(rc == 0);
  auto ended = env.wait_run(run);
  CHECK(ended["state"] == "cancelled");
  CHECK(ended["error"] == "cancelled (through the admin API): stopped");
  CHECK(fs::exists(env.dir.path / "state/leases/feed.json"));
  CHECK(env.stop() == 0);
}
