// Security checks of issue 9 as end-to-end tests of the built binary: secrets never reach logs,
// summaries, reports, `validate --print` or error messages, and the files bulkd writes (state,
// checkpoints, leases, dead letters, sink output) are private even under umask 0.

#include "tests/daemon/bulk_test_support.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <atomic>
#include <sys/stat.h>
#include <thread>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace bulkd::bulk_test;

namespace {

constexpr const char* hook_secret = "Bearer hook-secret-4f1d2c";

/// Everything a run left behind that a user or a log collector could read (not the configs, and
/// not the emulator's log: it prints its well-known development key on purpose).
std::string all_text(const fs::path& dir) {
  std::string out;
  for (auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() != ".yaml" &&
        entry.path().filename() != "emulator.log")
      out += read_file(entry.path()) + "\n";
  return out;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

/// An http sink target that refuses every batch with 400 and echoes the request headers in its
/// body, as a careless server might: the secret must still not reach bulkd's output.
struct echo_server {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  std::atomic<int> requests{0};

  echo_server() {
    server.new_task_queue = [] { return new httplib::ThreadPool(8); };
    server.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests;
      res.status = 400;
      res.set_content("refused; you sent Authorization: " + req.get_header_value("Authorization"),
                      "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread{[this] { server.listen_after_bind(); }};
  }
  ~echo_server() {
    server.stop();
    thread.join();
  }
};

std::pair<int, std::string> run_bulkd(const std::vector<std::string>& args, const fs::path& log,
                                      bool umask0 = false) {
  std::vector<std::string> argv;
  if (umask0) {
    std::string cmd = "umask 0 && exec";
    for (auto& a : args)
      cmd += " '" + a + "'";
    argv = {"/bin/sh", "-c", cmd};
  } else {
    argv = args;
  }
  return bulkd::test::run_to_completion(argv, log.string(), 120s);
}

} // namespace

TEST_CASE("security: account keys, sink headers and client secrets never appear in output",
          "[daemon][security]") {
  if (!have_binary())
    return;
  temp_dir dir;
  emulator emu{dir.path};
  REQUIRE(emu.port > 0);
  echo_server hook;
  REQUIRE(hook.port > 0);
  auto config = dir.path / "bulkd.yaml";
  write_file(config, "state_dir: " + (dir.path / "state").string() +
                         "\nlog: { level: trace }\naccounts:\n  emu:\n    endpoint: "
                         "\"http://127.0.0.1:" +
                         std::to_string(emu.port) + "\"\n    key: \"" + emulator_key + "\"\n");
  auto docs = dir.path / "in.jsonl";
  write_docs(docs, 300);
  write_file(dir.path / "load.yaml",
             "name: load\nkind: bulk-upsert\nsource: { path: " + docs.string() +
                 ", format: jsonl }\ntarget: { account: emu, database: shop, container: products, "
                 "create_if_missing: { partition_key: /pk } }\n");
  write_file(dir.path / "feed.yaml",
             "name: feed\nkind: change-feed\nsource: { account: emu, database: shop, container: "
             "products, start_from: beginning }\nleases: { store: file }\npoll_interval: 100ms\n"
             "max_batch: 100\nsink: { type: http, url: \"http://127.0.0.1:" +
                 std::to_string(hook.port) + "/hook\", timeout: 5s, headers: { Authorization: \"" +
                 hook_secret +
                 "\" }, retry: { max_attempts: 2, initial_backoff: 10ms, max_backoff: 20ms } }\n"
                 "on_failure: dead-letter\ndead_letter: { path: " +
                 (dir.path / "dead.jsonl").string() + " }\n");

  auto [rc_validate, out_validate] =
      run_bulkd({BULKD_BINARY, "validate", "--print", "--config", config.string(),
                 (dir.path / "load.yaml").string(), (dir.path / "feed.yaml").string()},
                dir.path / "validate.log");
  CHECK(rc_validate == 0);
  CHECK_THAT(out_validate, Catch::Contains("***"));

  auto [rc_load, out_load] =
      run_bulkd({BULKD_BINARY, "run", (dir.path / "load.yaml").string(), "--config",
                 config.string(), "--report", (dir.path / "load-report.json").string()},
                dir.path / "load.log");
  CHECK(rc_load == 0);
  auto [rc_feed, out_feed] = run_bulkd({BULKD_BINARY, "run", (dir.path / "feed.yaml").string(),
                                        "--config", config.string(), "--until-caught-up",
                                        "--report", (dir.path / "feed-report.json").string()},
                                       dir.path / "feed.log");
  INFO(out_feed);
  CHECK(rc_feed == 0);
  CHECK(hook.requests.load() > 0);
  // The poison batches went to the dead-letter file with the sink's error (masked).
  auto dead = read_file(dir.path / "dead.jsonl");
  CHECK_FALSE(dead.empty());
  CHECK_THAT(dead, Catch::Contains("400"));

  // An unreachable account: the error paths (connection refused, retries) at trace level.
  write_file(dir.path / "bad.yaml", "state_dir: " + (dir.path / "state").string() +
                                        "\nlog: { level: trace }\naccounts:\n  emu:\n    endpoint: "
                                        "\"http://127.0.0.1:1\"\n    key: \"" +
                                        emulator_key + "\"\n");
  auto [rc_bad, out_bad] = run_bulkd({BULKD_BINARY, "run", (dir.path / "load.yaml").string(),
                                      "--config", (dir.path / "bad.yaml").string()},
                                     dir.path / "bad.log");
  CHECK(rc_bad != 0);

  auto everything = all_text(dir.path) + out_validate + out_load + out_feed + out_bad;
  CHECK(everything.find(emulator_key) == std::string::npos);
  CHECK(everything.find("hook-secret-4f1d2c") == std::string::npos);
}

TEST_CASE("security: state, checkpoints, leases, dead letters and sink files are 0600 (dirs "
          "0700) even under umask 0",
          "[daemon][security]") {
  if (!have_binary())
    return;
  temp_dir dir;
  emulator emu{dir.path};
  REQUIRE(emu.port > 0);
  auto config = write_config(dir.path, emu.port);
  auto docs = dir.path / "in.jsonl";
  write_docs(docs, 200, 50, {7}); // line 7 is dead-lettered
  write_file(dir.path / "load.yaml",
             "name: load\nkind: bulk-upsert\nsource: { path: " + docs.string() +
                 ", format: jsonl }\ntarget: { account: emu, database: shop, container: products, "
                 "create_if_missing: { partition_key: /pk } }\n");
  write_file(dir.path / "feed.yaml",
             "name: feed\nkind: change-feed\nsource: { account: emu, database: shop, container: "
             "products, start_from: beginning }\nleases: { store: file }\npoll_interval: 100ms\n"
             "sink: { type: jsonl, path: feeds/out.jsonl }\n");
  auto [rc_load, out_load] = run_bulkd(
      {BULKD_BINARY, "run", (dir.path / "load.yaml").string(), "--config", config.string()},
      dir.path / "load.log", true);
  INFO(out_load);
  CHECK(rc_load == 1); // one dead letter
  auto [rc_feed, out_feed] = run_bulkd({BULKD_BINARY, "run", (dir.path / "feed.yaml").string(),
                                        "--config", config.string(), "--until-caught-up"},
                                       dir.path / "feed.log", true);
  INFO(out_feed);
  CHECK(rc_feed == 0);
  auto state = dir.path / "state";
  for (auto& file : {state / "checkpoints" / "load.json", state / "dead-letter" / "load.jsonl",
                     state / "leases" / "feed.json", state / "feeds" / "out.jsonl"}) {
    INFO(file);
    REQUIRE(fs::exists(file));
    CHECK(mode_of(file) == 0600);
  }
  for (auto& d : {state / "checkpoints", state / "dead-letter", state / "leases"}) {
    INFO(d);
    CHECK(mode_of(d) == 0700);
  }
}
