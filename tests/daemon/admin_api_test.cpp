// The /v1 admin API over a job_runner with fake runs: listing, detail with live counts, trigger
// (202, then 409 while running), cancel (202; 409 once finished, with the reason), runs by id,
// 404 JSON for unknown jobs and runs, 501 for kinds serve cannot run, the bearer token, and the
// refusal to listen beyond loopback without a token.

#include "daemon/admin_api.hpp"
#include "daemon/admin_server.hpp"
#include "daemon/job_runner.hpp"
#include "daemon/metrics_registry.hpp"
#include "tests/daemon/fake_job_kind.hpp"

#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

using namespace bulkd;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

job_spec spec(std::string name, job_body body, std::string schedule = {}) {
  job_spec s;
  s.name = std::move(name);
  s.body = std::move(body);
  s.schedule = std::move(schedule);
  s.origin.file = "jobs.d/" + s.name + ".yaml";
  s.origin.line = 3;
  return s;
}

struct api_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  test::temp_state state;
  daemon_config config = state.config();
  test::fake_job_kind fake;
  metrics::registry registry;
  std::unique_ptr<job_runner> runner;
  std::unique_ptr<admin_server> server;
  std::unique_ptr<httplib::Client> cli;

  explicit api_fixture(std::string token = {}) {
    kind_table kinds;
    kinds[job_kind::bulk_upsert] = fake.runner();
    bulk_upsert_spec load;
    load.source.path = "in/*.jsonl";
    load.target.account = "emu";
    load.target.database = "shop";
    load.target.container = "products";
    job_runner_options opts;
    opts.scheduler_thread = false;
    runner = std::make_unique<job_runner>(
        sys, config, [] { return caf::expected<http_pool_actor>{http_pool_actor{}}; },
        std::move(kinds),
        std::vector<job_spec>{spec("load", load), spec("nightly", bulk_upsert_spec{}, "0 2 * * *"),
                              spec("keys", key_backup_spec{})},
        opts);
    runner->start();
    admin_server_config sc;
    sc.port = 0;
    sc.token = std::move(token);
    server = std::make_unique<admin_server>(sc, registry);
    REQUIRE_FALSE(add_job_routes(*server, *runner));
    auto port = server->start();
    REQUIRE(port);
    cli = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }

  ~api_fixture() {
    server->stop();
    runner->shutdown();
  }
};

json body(const httplib::Result& res) {
  REQUIRE(res);
  INFO(res->body);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  return json::parse(res->body);
}

} // namespace

TEST_CASE("admin API: list, trigger, watch, refuse a second run, cancel, look up runs",
          "[admin_api]") {
  api_fixture f;
  auto& cli = *f.cli;

  auto list = cli.Get("/v1/jobs");
  REQUIRE(list);
  CHECK(list->status == 200);
  auto jobs = body(list)["jobs"];
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0]["name"] == "keys");
  CHECK(jobs[0]["runnable"] == false);
  CHECK(jobs[1]["name"] == "load");
  CHECK(jobs[1]["mode"] == "on-demand");
  CHECK(jobs[1]["state"] == "idle");
  CHECK(jobs[1]["last_run"].is_null());
  CHECK(jobs[2]["mode"] == "scheduled");
  CHECK(jobs[2]["schedule"] == "0 2 * * *");
  CHECK(jobs[2]["next_fire"].get<std::string>().find("T02:00:00Z") != std::string::npos);
  CHECK(jobs[2]["origin"] == "jobs.d/nightly.yaml:3");

  auto started = cli.Post("/v1/jobs/load/run");
  REQUIRE(started);
  CHECK(started->status == 202);
  auto run = body(started);
  CHECK(run["job"] == "load");
  CHECK(run["state"] == "pending");
  auto id = run["run"].get<uint64_t>();
  CHECK(run["url"] == "/v1/runs/" + std::to_string(id));
  CHECK(started->get_header_value("Location") == "/v1/runs/" + std::to_string(id));
  REQUIRE(f.fake.wait_live("load"));

  auto twice = cli.Post("/v1/jobs/load/run");
  REQUIRE(twice);
  CHECK(twice->status == 409);
  CHECK(body(twice) ==
        json{{"error", "job 'load' is running already (run " + std::to_string(id) + ")"}});

  auto detail = cli.Get("/v1/jobs/load");
  REQUIRE(detail);
  CHECK(detail->status == 200);
  auto d = body(detail);
  CHECK(d["state"] == "running");
  CHECK(d["current_run"] == id);
  CHECK(d["current"]["state"] == "running");
  CHECK(d["current"]["counts"] == json{{"n", 7}}); // asked from the run's actor
  CHECK(d["current"]["live"] == true);
  CHECK(d["spec"] == json{{"source", "in/*.jsonl"},
                          {"format", "jsonl"},
                          {"target", "emu/shop/products"},
                          {"operation", "upsert"}});
  CHECK(d["last_runs"] == json::array());

  auto by_id = cli.Get(("/v1/runs/" + std::to_string(id)).c_str());
  REQUIRE(by_id);
  CHECK(by_id->status == 200);
  CHECK(body(by_id)["state"] == "running");

  auto cancel = cli.Post("/v1/jobs/load/cancel");
  REQUIRE(cancel);
  CHECK(cancel->status == 202);
  CHECK(body(cancel) == json{{"run", id}, {"job", "load"}, {"cancel_requested", true}});
  auto ended = f.runner->wait_for(id, 10s);
  REQUIRE(ended);
  CHECK(ended->state == run_state::cancelled);

  auto finished = cli.Get(("/v1/runs/" + std::to_string(id)).c_str());
  auto fr = body(finished);
  CHECK(fr["state"] == "cancelled");
  CHECK(fr["error"] == "cancelled (through the admin API): interrupted");
  CHECK(fr["counts"] == json{{"done", 1}});
  CHECK(fr["seconds"].is_number());
  CHECK_FALSE(fr.contains("live"));

  auto again = cli.Post(("/v1/runs/" + std::to_string(id) + "/cancel").c_str());
  REQUIRE(again);
  CHECK(again->status == 409);
  auto msg = body(again)["error"].get<std::string>();
  CHECK_THAT(msg, Catch::StartsWith("run " + std::to_string(id) +
                                    " of job 'load' has finished already (run " +
                                    std::to_string(id) + " cancelled at "));
  CHECK_THAT(msg, Catch::EndsWith("); there is nothing to cancel"));
  auto idle = cli.Post("/v1/jobs/load/cancel");
  REQUIRE(idle);
  CHECK(idle->status == 409);
  CHECK_THAT(body(idle)["error"].get<std::string>(),
             Catch::StartsWith("job 'load' has no run going; there is nothing to cancel (its last "
                               "run " +
                               std::to_string(id) + " cancelled at "));

  auto listed = body(cli.Get("/v1/jobs"))["jobs"][1];
  CHECK(listed["state"] == "idle");
  CHECK(listed["last_run"]["id"] == id);
  CHECK(listed["last_run"]["state"] == "cancelled");

  // A run that finishes by itself.
  auto second = body(cli.Post("/v1/jobs/load/run"))["run"].get<uint64_t>();
  CHECK(second == id + 1);
  REQUIRE(f.fake.wait_live("load"));
  f.fake.finish("load");
  REQUIRE(f.runner->wait_for(second, 10s)->state == run_state::succeeded);
  auto last = body(cli.Get("/v1/jobs/load"))["last_runs"];
  REQUIRE(last.size() == 2);
  CHECK(last[0]["id"] == second);
  CHECK(last[0]["state"] == "succeeded");
  CHECK(last[0]["error"].is_null());
}

TEST_CASE("admin API: unknown jobs and runs are 404 JSON, unrunnable kinds 501", "[admin_api]") {
  api_fixture f;
  auto& cli = *f.cli;
  struct probe {
    const char* method;
    const char* path;
    int status;
    const char* error;
  };
  for (auto p : {probe{"GET", "/v1/jobs/nope", 404, "no job named 'nope'"},
                 probe{"POST", "/v1/jobs/nope/run", 404, "no job named 'nope'"},
                 probe{"POST", "/v1/jobs/nope/cancel", 404, "no job named 'nope'"},
                 probe{"GET", "/v1/runs/42", 404, "no run with id '42'"},
                 probe{"GET", "/v1/runs/abc", 404, "no run with id 'abc'"},
                 probe{"POST", "/v1/runs/abc/cancel", 404, "no run with id 'abc'"},
                 probe{"POST", "/v1/jobs/keys/run", 501,
                       "this version of bulkd serve cannot run key-backup jobs"}}) {
    INFO(p.method << " " << p.path);
    auto res = std::string{p.method} == "GET" ? cli.Get(p.path) : cli.Post(p.path);
    REQUIRE(res);
    CHECK(res->status == p.status);
    CHECK(body(res) == json{{"error", p.error}});
  }
  auto unknown_run = cli.Post("/v1/runs/42/cancel");
  REQUIRE(unknown_run);
  CHECK(unknown_run->status == 404);
  CHECK_THAT(body(unknown_run)["error"].get<std::string>(), Catch::StartsWith("no run with id 42"));
  auto wrong_method = cli.Get("/v1/jobs/load/run");
  REQUIRE(wrong_method);
  CHECK(wrong_method->status == 404);
}

TEST_CASE("admin API: the bearer token guards /v1", "[admin_api]") {
  api_fixture f{"t0ken"};
  auto& cli = *f.cli;
  for (auto* path : {"/v1/jobs", "/v1/jobs/load", "/v1/runs/1"}) {
    INFO(path);
    auto res = cli.Get(path);
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(body(res) == json{{"error", "unauthorized"}});
  }
  auto post = cli.Post("/v1/jobs/load/run");
  REQUIRE(post);
  CHECK(post->status == 401);
  CHECK_FALSE(f.fake.is_live("load"));
  CHECK(f.runner->running() == 0);
  cli.set_bearer_token_auth("t0ken");
  auto ok = cli.Get("/v1/jobs");
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("the admin server refuses to listen beyond loopback without a token", "[admin_api]") {
  CHECK_FALSE(check_listen_token("127.0.0.1", ""));
  CHECK_FALSE(check_listen_token("::1", ""));
  CHECK_FALSE(check_listen_token("localhost", ""));
  CHECK_FALSE(check_listen_token("0.0.0.0", "t"));
  auto refused = check_listen_token("0.0.0.0", "");
  REQUIRE(refused);
  CHECK(render(refused) == "unauthorized: the admin server would listen on 0.0.0.0, which is not "
                           "loopback, without a token: set admin.token in the config");
  CHECK(check_listen_token("10.1.2.3", ""));

  metrics::registry registry;
  admin_server_config sc;
  sc.host = "0.0.0.0";
  sc.port = 0;
  admin_server srv{sc, registry};
  auto port = srv.start(); // refused before it binds
  REQUIRE_FALSE(port);
  CHECK_THAT(render(port.error()), Catch::Contains("which is not loopback, without a token"));
  CHECK_FALSE(srv.running());
}
