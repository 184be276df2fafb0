// End-to-end: the built `bulkd serve` binary answers /healthz and /metrics, tells systemd it is
// ready, and ends with exit code 0 within 2 s of SIGTERM.

#include "tests/daemon/prometheus_parser.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fake_systemd.hpp"

#include <httplib.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <netinet/in.h>
#include <sys/socket.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/bulkd-serve-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() { fs::remove_all(path); }
};

/// Polls GET `path` until it answers 200 or `deadline` passes.
httplib::Result wait_for(httplib::Client& client, const std::string& path,
                         std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    auto res = client.Get(path.c_str());
    if ((res && res->status == 200) || std::chrono::steady_clock::now() >= until)
      return res;
    std::this_thread::sleep_for(50ms);
  }
}

} // namespace

TEST_CASE("bulkd serve answers health and metrics, notifies systemd, and stops on SIGTERM",
          "[serve]") {
  temp_dir dir;
  auto port = free_port();
  fs::create_directories(dir.path / "jobs.d");
  fs::copy_file(fs::path{BULKD_SOURCE_DIR} / "config/jobs.d/orders-feed.yaml",
                dir.path / "jobs.d/orders-feed.yaml");
  std::ofstream{dir.path / "bulkd.yaml"} << "state_dir: state\n"
                                            "jobs_dir: jobs.d\n"
                                            "admin: { listen: \"127.0.0.1:"
                                         << port
                                         << "\" }\n"
                                            "accounts:\n"
                                            "  main: { endpoint: \"http://127.0.0.1:9\", key: "
                                            "\"a2V5\" }\n";
  bulkd::test::fake_systemd systemd;
  bulkd::test::child_process serve{
    {BULKD_BINARY, "serve", "--config", (dir.path / "bulkd.yaml").string()},
    (dir.path / "serve.log").string(),
    {"NOTIFY_SOCKET=" + systemd.address()}};

  auto ready = systemd.receive_until("READY=1");
  INFO(serve.output());
  REQUIRE(!ready.empty());
  CHECK(ready.find("1 jobs loaded") != std::string::npos);

  httplib::Client client{"127.0.0.1", port};
  auto health = wait_for(client, "/healthz", 5s);
  REQUIRE(health);
  CHECK(health->status == 200);
  auto readiness = client.Get("/readyz");
  REQUIRE(readiness);
  CHECK(readiness->status == 200);

  auto metrics = client.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->get_header_value("Content-Type").find("text/plain") == 0);
  auto parsed = bulkd::test::parse_prometheus_text(metrics->body);
  INFO(metrics->body);
  CHECK(parsed.error == "");
  CHECK(parsed.doc.value("bulkd_build_info", {{"version", BULKD_VERSION}}) == 1.0);
  CHECK(parsed.doc.value("bulkd_jobs", {{"kind", "change-feed"}, {"schedule", "on-demand"}})
        == 1.0);
  CHECK(parsed.doc.value("bulkd_http_pool", {{"what", "workers"}}) == 64.0);
  CHECK(parsed.doc.value("process_resident_memory_bytes").value_or(0) > 0);

  auto missing = client.Get("/no-such-route");
  REQUIRE(missing);
  CHECK(missing->status == 404);

  auto stop_started = std::chrono::steady_clock::now();
  serve.signal(SIGTERM);
  auto rc = serve.wait_for(2s);
  auto stop_took = std::chrono::steady_clock::now() - stop_started;
  INFO("stop took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(stop_took).count() << " ms");
  REQUIRE(rc.has_value());
  CHECK(*rc == 0);
  CHECK(!systemd.receive_until("STOPPING=1").empty());
  auto log = serve.output();
  CHECK(log.find("level=info msg=\"bulkd is up\"") != std::string::npos);
  CHECK(log.find("msg=stopped") != std::string::npos);
}

TEST_CASE("bulkd serve runs with the shipped development config", "[serve]") {
  // config/dev/bulkd.yaml listens on the fixed port 8686; skip when something else holds it.
  httplib::Client probe{"127.0.0.1", 8686};
  probe.set_connection_timeout(0, 200'000);
  if (probe.Get("/healthz")) {
    WARN("port 8686 is in use; not running the development config test");
    return;
  }
  temp_dir dir;
  bulkd::test::child_process serve{
    {BULKD_BINARY, "serve", "--config", std::string{BULKD_SOURCE_DIR} + "/config/dev/bulkd.yaml"},
    (dir.path / "serve.log").string()};
  httplib::Client client{"127.0.0.1", 8686};
  auto health = wait_for(client, "/healthz", 10s);
  INFO(serve.output());
  REQUIRE(health);
  CHECK(health->status == 200);
  auto metrics = client.Get("/metrics");
  REQUIRE(metrics);
  CHECK(bulkd::test::parse_prometheus_text(metrics->body).error == "");
  serve.signal(SIGTERM);
  auto rc = serve.wait_for(2s);
  REQUIRE(rc.has_value());
  CHECK(*rc == 0);
}

TEST_CASE("bulkd serve refuses a bad config with its position and exit code 2", "[serve]") {
  temp_dir dir;
  std::ofstream{dir.path / "bulkd.yaml"} << "state_dir: /tmp\nadmin: { listen: 12 }\nbogus: 1\n";
  auto [rc, out] = bulkd::test::run_to_completion(
    {BULKD_BINARY, "serve", "--config", (dir.path / "bulkd.yaml").string()},
    (dir.path / "serve.log").string());
  CHECK(rc == 2);
  CHECK(out.find("bulkd.yaml:3:1") != std::string::npos);
  CHECK(out.find("bogus") != std::string::npos);
}

TEST_CASE("bulkd serve pings the systemd watchdog while its root supervisor answers", "[serve]") {
  temp_dir dir;
  auto port = free_port();
  fs::create_directories(dir.path / "jobs.d");
  std::ofstream{dir.path / "bulkd.yaml"} << "state_dir: state\njobs_dir: jobs.d\n"
                                            "admin: { listen: \"127.0.0.1:"
                                         << port << "\" }\n";
  bulkd::test::fake_systemd systemd;
  bulkd::test::child_process serve{
    {BULKD_BINARY, "serve", "--config", (dir.path / "bulkd.yaml").string()},
    (dir.path / "serve.log").string(),
    {"NOTIFY_SOCKET=" + systemd.address(), "WATCHDOG_USEC=200000"}};
  INFO(serve.output());
  REQUIRE(!systemd.receive_until("READY=1").empty());
  // Pings come every WATCHDOG_USEC / 2; two in a row show it keeps going.
  CHECK(systemd.receive() == "WATCHDOG=1");
  CHECK(systemd.receive() == "WATCHDOG=1");
  serve.signal(SIGTERM);
  auto rc = serve.wait_for(2s);
  REQUIRE(rc.has_value());
  CHECK(*rc == 0);
}
