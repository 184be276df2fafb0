// `bulkd emulator` as a process: banner, requests, SIGTERM, restart on the same data dir. Needs the
// bulkd binary (build target `bulkd` first); without it the test only warns.

#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/http_date.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "tests/support/child_process.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <filesystem>
#include <regex>

namespace {

namespace fs = std::filesystem;

bool have_binary() {
  if (fs::exists(BULKD_BINARY))
    return true;
  WARN("bulkd binary not built (" BULKD_BINARY "); build target bulkd to run this test");
  return false;
}

// Waits for the banner and returns the port it names (0 when it does not come).
int wait_for_port(bulkd::test::child_process& p) {
  std::regex endpoint{R"(endpoint:\s+http://127\.0\.0\.1:(\d+)/)"};
  for (int i = 0; i < 500; ++i) {
    std::smatch m;
    auto out = p.output();
    if (std::regex_search(out, m, endpoint))
      return std::stoi(m[1]);
    if (p.wait_for(std::chrono::milliseconds(10)))
      return 0;
  }
  return 0;
}

int signed_request(int port, const std::string& method, const std::string& path,
                   const std::string& type, const std::string& link, const std::string& body = {}) {
  auto key = *bulkd::cosmos::parse_master_key(bulkd::emulator::cosmos::well_known_key);
  auto date = bulkd::cosmos::format_http_date(std::chrono::system_clock::now());
  std::string verb = method == "GET" ? "get" : "post";
  httplib::Client cli{"127.0.0.1", port};
  httplib::Headers headers{
      {"x-ms-date", date},
      {"authorization", bulkd::cosmos::master_authorization(key, verb, type, link, date)}};
  auto res = method == "GET" ? cli.Get(path.c_str(), headers)
                             : cli.Post(path.c_str(), headers, body, "application/json");
  return res ? res->status : -1;
}

} // namespace

TEST_CASE("bulkd emulator: serves until SIGTERM and keeps its data", "[emulator][command]") {
  if (!have_binary())
    return;
  auto dir = fs::temp_directory_path() / ("bulkd-emu-cmd-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto data = (dir / "data").string();
  {
    bulkd::test::child_process p{{BULKD_BINARY, "emulator", "--port", "0", "--data-dir", data},
                                 (dir / "run1.log").string()};
    int port = wait_for_port(p);
    INFO(p.output());
    REQUIRE(port > 0);
    CHECK_THAT(p.output(), Catch::Contains("cosmos key: C2y6yDjf5") &&
                               Catch::Contains("data:       " + data + "/cosmos.sqlite") &&
                               Catch::Contains("not for production"));
    CHECK(signed_request(port, "GET", "/", "", "") == 200);
    CHECK(signed_request(port, "POST", "/dbs", "dbs", "", R"({"id":"kept"})") == 201);
    p.signal(SIGTERM);
    auto rc = p.wait_for(std::chrono::seconds(10));
    REQUIRE(rc);
    CHECK(*rc == 0);
    CHECK_THAT(p.output(), Catch::Contains("SIGTERM received, stopping"));
  }
  {
    bulkd::test::child_process p{{BULKD_BINARY, "emulator", "--port", "0", "--data-dir", data},
                                 (dir / "run2.log").string()};
    int port = wait_for_port(p);
    REQUIRE(port > 0);
    CHECK(signed_request(port, "GET", "/dbs/kept", "dbs", "dbs/kept") == 200);
    p.signal(SIGINT);
    auto rc = p.wait_for(std::chrono::seconds(10));
    REQUIRE(rc);
    CHECK(*rc == 0);
  }
  fs::remove_all(dir);
}

TEST_CASE("bulkd emulator: bad options exit 2 with a message", "[emulator][command]") {
  if (!have_binary())
    return;
  auto log = (fs::temp_directory_path() / ("bulkd-emu-bad-" + std::to_string(::getpid()))).string();
  auto [rc, out] = bulkd::test::run_to_completion(
      {BULKD_BINARY, "emulator", "--in-memory", "--port", "0", "--faults", "429=0.5,reset=x"}, log);
  CHECK(rc == 2);
  CHECK_THAT(out, Catch::Contains("invalid --faults token 'reset=x'"));
  auto [rc2, out2] = bulkd::test::run_to_completion({BULKD_BINARY, "emulator", "--port", "0"}, log);
  CHECK(rc2 == 2);
  CHECK_THAT(out2, Catch::Contains("give --data-dir DIR"));
  fs::remove(log);
}
