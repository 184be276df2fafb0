// Scripted end to end: `bulkd serve --dev` (the emulator in the same process) with all three job
// kinds: the bulk load and the key backup triggered through the admin API and watched until they
// succeed, the change feed added by SIGHUP delivers every loaded document, STATUS= carries docs/s
// and the feed's lag; and, against an emulator child that outlives the daemon, SIGTERM during a
// bulk load and a feed, a restart on the same state dir, the load completing with the exact count
// and the feed continuing where it stopped.

#include "tests/daemon/bulk_test_support.hpp"
#include "tests/support/fake_systemd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>

using namespace bulkd::bulk_test;
using nlohmann::json;

namespace {

constexpr const char* dev_key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

/// A port that was free a moment ago (bulkd.yaml refuses port 0).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// bulkd.yaml for the dev account and vault at `endpoint` (with --dev: where the embedded
/// emulator listens).
fs::path write_dev_config(const fs::path& dir, const std::string& endpoint) {
  auto p = dir / "bulkd.yaml";
  write_file(p, "state_dir: " + (dir / "state").string() +
                    "\njobs_dir: " + (dir / "jobs.d").string() +
                    "\nshutdown_timeout: 20s\nlog: { level: warn }\n"
                    "admin: { listen: \"127.0.0.1:0\" }\n"
                    "accounts:\n  dev:\n    endpoint: \"" +
                    endpoint + "\"\n    key: \"" + dev_key +
                    "\"\n"
                    "vaults:\n  dev:\n    url: \"" +
                    endpoint +
                    "\"\n    credential:\n      type: client-secret\n"
                    "      tenant_id: \"00000000-0000-0000-0000-000000000000\"\n"
                    "      client_id: bulkd-dev\n      client_secret: bulkd-dev-secret\n"
                    "      authority_host: \"" +
                    endpoint + "\"\n");
  return p;
}

void write_load_job(const fs::path& dir, size_t batch = 50) {
  write_file(dir / "jobs.d/load.yaml",
             "name: load\nkind: bulk-upsert\nsource: { path: " + (dir / "in/*.jsonl").string() +
                 ", format: jsonl }\n"
                 "target: { account: dev, database: shop, container: products, "
                 "create_if_missing: { partition_key: /pk } }\n"
                 "concurrency: { max_in_flight: 4, batch: " +
                 std::to_string(batch) + " }\n");
}

void write_feed_job(const fs::path& dir) {
  write_file(dir / "jobs.d/feed.yaml",
             "name: feed\nkind: change-feed\n"
             "source: { account: dev, database: shop, container: products, start_from: "
             "beginning }\nleases: { store: file }\npoll_interval: 200ms\nmax_batch: 100\n"
             "sink: { type: jsonl, path: " +
                 (dir / "out/feed.jsonl").string() + " }\n");
}

void write_backup_job(const fs::path& dir) {
  write_file(dir / "jobs.d/backup.yaml",
             "name: backup\nkind: key-backup\nvault: dev\nkeys: { include: [\"*\"] }\n"
             "destination: { path: " +
                 (dir / "backups").string() + " }\n");
}

/// Arrivals per document id in the jsonl sink.
std::unordered_map<std::string, int> sink_ids(const fs::path& file) {
  std::unordered_map<std::string, int> ids;
  std::ifstream in{file};
  for (std::string line; std::getline(in, line);) {
    auto doc = json::parse(line, nullptr, false);
    if (doc.is_object() && doc.contains("id") && doc["id"].is_string())
      ++ids[doc["id"].get<std::string>()];
  }
  return ids;
}

size_t duplicates(const std::unordered_map<std::string, int>& ids) {
  size_t n = 0;
  for (auto& [id, c] : ids)
    n += static_cast<size_t>(c - 1);
  return n;
}

/// Every id doc-0 .. doc-(n-1) of write_docs arrived.
bool has_all(const std::unordered_map<std::string, int>& ids, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (ids.find("doc-" + std::to_string(i)) == ids.end())
      return false;
  return true;
}

struct daemon_proc {
  fs::path dir;
  bulkd::test::fake_systemd systemd;
  std::unique_ptr<bulkd::test::child_process> proc;
  std::vector<std::string> messages; // every notification received
  int port = 0;
  int starts = 0;

  explicit daemon_proc(fs::path d) : dir(std::move(d)) {}

  /// Receives notifications until one contains `needle` (kept in `messages`); "" on timeout.
  std::string await(const std::string& needle, int max_messages = 200) {
    for (int i = 0; i < max_messages; ++i) {
      auto msg = systemd.receive();
      if (msg == "<nothing received>")
        return {};
      messages.push_back(msg);
      if (msg.find(needle) != std::string::npos)
        return msg;
    }
    return {};
  }

  void start(std::vector<std::string> extra) {
    std::vector<std::string> args{BULKD_BINARY, "serve", "--config", (dir / "bulkd.yaml").string()};
    for (auto& e : extra)
      args.push_back(e);
    proc = std::make_unique<bulkd::test::child_process>(
        args, (dir / ("serve" + std::to_string(++starts) + ".log")).string(),
        std::vector<std::string>{"NOTIFY_SOCKET=" + systemd.address()});
    systemd.set_receive_timeout(30);
    auto ready = await("READY=1");
    INFO(proc->output());
    std::smatch m;
    REQUIRE(std::regex_search(ready, m, std::regex{R"(admin API on port (\d+))"}));
    port = std::stoi(m[1]);
  }

  int stop() {
    proc->signal(SIGTERM);
    return proc->wait_for(60s).value_or(-1);
  }

  httplib::Client client() const {
    httplib::Client c{"127.0.0.1", port};
    c.set_read_timeout(30, 0);
    return c;
  }

  uint64_t trigger(const std::string& job) {
    auto res = client().Post(("/v1/jobs/" + job + "/run").c_str());
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 202);
    return json::parse(res->body)["run"].get<uint64_t>();
  }

  json run(uint64_t id) {
    auto res = client().Get(("/v1/runs/" + std::to_string(id)).c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return json::parse(res->body);
  }

  json wait_run(uint64_t id, std::chrono::seconds deadline = 180s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    json r;
    while (std::chrono::steady_clock::now() < until) {
      r = run(id);
      if (r["state"] != "pending" && r["state"] != "running")
        return r;
      std::this_thread::sleep_for(100ms);
    }
    FAIL("run " << id << " did not end: " << r.dump());
    return r;
  }

  json job(const std::string& name) {
    auto res = client().Get(("/v1/jobs/" + name).c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return json::parse(res->body);
  }
};

/// Waits until the sink holds every one of `n` documents; false after `deadline`.
bool wait_for_sink(const fs::path& file, size_t n, std::chrono::seconds deadline = 180s) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (has_all(sink_ids(file), n))
      return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

/// A key through the emulator's Key Vault REST API, with a token of the dev client.
void create_key(int port, const std::string& name, const std::string& kty) {
  httplib::Client cli{"127.0.0.1", port};
  cli.set_read_timeout(30, 0);
  auto tok = cli.Post("/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token",
                      "grant_type=client_credentials&client_id=bulkd-dev&client_secret=bulkd-dev-"
                      "secret&scope=https%3A%2F%2Fvault.azure.net%2F.default",
                      "application/x-www-form-urlencoded");
  REQUIRE(tok);
  REQUIRE(tok->status == 200);
  auto token = json::parse(tok->body)["access_token"].get<std::string>();
  json body{{"kty", kty}};
  if (kty == "EC")
    body["crv"] = "P-256";
  else
    body["key_size"] = kty == "RSA" ? 2048 : 256;
  auto res = cli.Post(("/keys/" + name + "/create?api-version=7.5").c_str(),
                      httplib::Headers{{"Authorization", "Bearer " + token}}, body.dump(),
                      "application/json");
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
}

} // namespace

TEST_CASE("serve --dev: bulk load and key backup through the API, a feed added by SIGHUP "
          "delivers every document, a changed job is taken by SIGHUP, STATUS= shows docs/s and "
          "lag, SIGTERM exits 0",
          "[daemon][serve_dev]") {
  if (!have_binary())
    return;
  constexpr size_t total = 20000;
  temp_dir dir;
  fs::create_directories(dir.path / "in");
  fs::create_directories(dir.path / "jobs.d");
  write_docs(dir.path / "in/docs.jsonl", total);
  auto emulator_port = free_port();
  write_dev_config(dir.path, "http://127.0.0.1:" + std::to_string(emulator_port));
  write_load_job(dir.path);
  write_backup_job(dir.path);

  daemon_proc serve{dir.path};
  serve.start({"--dev"});
  auto out = serve.proc->output();
  INFO(out);
  REQUIRE_THAT(out, Catch::Contains("embedded emulator (development only, data in memory) at "
                                    "http://127.0.0.1:" +
                                    std::to_string(emulator_port)));

  auto load = serve.wait_run(serve.trigger("load"));
  INFO(load.dump());
  CHECK(load["state"] == "succeeded");
  CHECK(load["counts"]["written"] == total);

  for (auto [name, kty] : {std::pair{"signing", "RSA"}, {"tls", "EC"}, {"wrap", "oct"}})
    create_key(emulator_port, name, kty);
  auto backup = serve.wait_run(serve.trigger("backup"));
  INFO(backup.dump());
  CHECK(backup["state"] == "succeeded");
  CHECK(backup["counts"]["backed_up"] == 3);
  CHECK(fs::exists(backup["counts"]["set_dir"].get<std::string>()));

  // The feed is added by SIGHUP and delivers every loaded document.
  write_feed_job(dir.path);
  serve.proc->signal(SIGHUP);
  CHECK_THAT(serve.await("RELOADING=1"), Catch::Contains("RELOADING=1"));
  CHECK_THAT(serve.await("READY=1"), Catch::Contains("1 added"));
  CHECK(wait_for_sink(dir.path / "out/feed.jsonl", total));
  auto feed = serve.job("feed");
  INFO(feed.dump());
  CHECK(feed["current"]["state"] == "running");

  // STATUS=: a sample while documents moved counts them, one after the feed caught up shows lag 0.
  auto caught_up = serve.await("worst feed lag 0 items (feed)");
  CHECK_THAT(caught_up, Catch::Contains("running, ") && Catch::Contains(" docs/s, "));
  bool moving = false;
  std::regex rate{R"(, ([1-9]\d*) docs/s, )"};
  for (auto& msg : serve.messages)
    moving = moving || std::regex_search(msg, rate);
  INFO("notifications:\n"
       << [&] {
            std::string all;
            for (auto& msg : serve.messages)
              all += msg + "\n";
            return all;
          }());
  CHECK(moving);

  // A changed job (only keys named s*) is taken by SIGHUP; the feed is not touched.
  write_file(dir.path / "jobs.d/backup.yaml",
             "name: backup\nkind: key-backup\nvault: dev\nkeys: { include: [\"s*\"] }\n"
             "destination: { path: " +
                 (dir.path / "backups").string() + " }\n");
  auto feed_run = feed["current"]["id"];
  serve.proc->signal(SIGHUP);
  CHECK_THAT(serve.await("READY=1"), Catch::Contains("0 added, 0 removed, 1 changed"));
  auto narrowed = serve.wait_run(serve.trigger("backup"));
  INFO(narrowed.dump());
  CHECK(narrowed["state"] == "succeeded");
  CHECK(narrowed["counts"]["backed_up"] == 1);
  CHECK(serve.job("feed")["current"]["id"] == feed_run);

  CHECK(serve.stop() == 0);
  CHECK_THAT(serve.await("STOPPING=1"), Catch::Contains("STOPPING=1"));
  CHECK(has_all(sink_ids(dir.path / "out/feed.jsonl"), total));
}

TEST_CASE("serve: SIGTERM during a bulk load and a feed exits 0, after a restart the load ends "
          "with the exact count and the feed continues where it stopped",
          "[daemon][serve_dev]") {
  if (!have_binary())
    return;
  constexpr long total = 20000;
  temp_dir dir;
  fs::create_directories(dir.path / "in");
  fs::create_directories(dir.path / "jobs.d");
  write_docs(dir.path / "in/docs.jsonl", total);
  // A child emulator outlives the daemon's restart (the embedded one of --dev would not).
  emulator emu{dir.path, {"--faults", "latency=20ms"}};
  REQUIRE(emu.port > 0);
  write_dev_config(dir.path, "http://127.0.0.1:" + std::to_string(emu.port));
  write_load_job(dir.path, 10);

  daemon_proc serve{dir.path};
  serve.start({});
  auto first = serve.trigger("load");
  for (int i = 0; i < 600; ++i) {
    auto r = serve.run(first);
    if (r["counts"].value("written", 0) > 0 || r["state"] != "running")
      break;
    std::this_thread::sleep_for(50ms);
  }
  // The container exists now: the feed joins by SIGHUP and runs beside the load.
  write_feed_job(dir.path);
  serve.proc->signal(SIGHUP);
  REQUIRE_THAT(serve.await("READY=1"), Catch::Contains("1 added"));
  auto sink = dir.path / "out/feed.jsonl";
  for (int i = 0; i < 600 && sink_ids(sink).empty(); ++i)
    std::this_thread::sleep_for(50ms);
  CHECK(serve.run(first)["state"] == "running");
  CHECK(serve.job("feed")["current"]["state"] == "running");
  CHECK(serve.stop() == 0);
  auto after_stop = emu.count();
  auto delivered_before = sink_ids(sink).size();
  INFO("written before SIGTERM " << after_stop << ", delivered " << delivered_before);
  CHECK(after_stop > 0);
  CHECK(after_stop < total);
  CHECK(delivered_before > 0);

  // Restart on the same state dir: the feed starts at once and continues; the load resumes.
  serve.start({});
  auto second = serve.wait_run(serve.trigger("load"));
  INFO(second.dump());
  CHECK(second["state"] == "succeeded");
  CHECK(second["counts"]["written"].get<long>() <= total - after_stop + 4 * 10);
  CHECK(emu.count() == total);
  CHECK(wait_for_sink(sink, total));
  CHECK(serve.stop() == 0);
  auto ids = sink_ids(sink);
  CHECK(ids.size() == static_cast<size_t>(total));
  // At most one batch per range again after the stop (4 ranges, max_batch 100).
  CHECK(duplicates(ids) <= 4 * 100);
}
