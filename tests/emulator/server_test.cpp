#include "clients/cosmos/error_message.hpp"
#include "emulator/tls_certificate.hpp"
#include "tests/emulator/cosmos/emulator_fixture.hpp"

#include <atomic>
#include <filesystem>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace bulkd::emulator;
using namespace bulkd::emulator::testing;

namespace {

fixture_options with_faults(std::string_view spec) {
  fixture_options opts;
  auto parsed = parse_faults(spec);
  REQUIRE(parsed);
  opts.faults = *parsed;
  return opts;
}

} // namespace

TEST_CASE("emulator server: activity ids are echoed or made up", "[emulator][server]") {
  emulator_fixture emu;
  auto given =
      emu.send("GET", "/", "", {{"x-ms-activity-id", "11111111-2222-3333-4444-555555555555"}});
  CHECK(given.header("x-ms-activity-id") == "11111111-2222-3333-4444-555555555555");
  auto made = emu.send("GET", "/");
  auto a = made.header("x-ms-activity-id");
  CHECK(a.size() == 36);
  CHECK(emu.send("GET", "/").header("x-ms-activity-id") != a);
}

TEST_CASE("emulator server: injected 429s carry retry-after and substatus 3200",
          "[emulator][server]") {
  emulator_fixture emu{with_faults("429=1,retry-after=25ms")};
  auto r = emu.send("GET", "/dbs");
  CHECK(r.status == 429);
  CHECK(r.code() == "TooManyRequests");
  CHECK_THAT(r.message(), Catch::Contains("Request rate is large"));
  CHECK(r.header("x-ms-substatus") == "3200");
  CHECK(r.header("x-ms-retry-after-ms") == "25");
  CHECK(r.header("Retry-After") == "1");
  CHECK(r.header("x-ms-request-charge") == "0");
  CHECK_FALSE(r.header("x-ms-activity-id").empty());
  CHECK(emu.srv->faults_injected().throttled == 1);
}

TEST_CASE("emulator server: faulted requests with bodies leave the connection usable",
          "[emulator][server]") {
  // The faults are answered after httplib read the body; an unread body would be parsed as the
  // next request on the keep-alive connection.
  auto tls = GENERATE(false, true);
  auto opts = with_faults("429=0.3,503=0.2,seed=11");
  auto dir = std::filesystem::temp_directory_path() /
             ("bulkd-emu-faultbody-" + std::to_string(::getpid()));
  if (tls) {
    std::filesystem::create_directories(dir);
    auto files = ensure_self_signed_certificate(dir.string());
    REQUIRE(files);
    opts.tls = *files;
  }
  emulator_fixture emu{opts};
  int created = 0;
  int faulted = 0;
  for (int i = 0; i < 60; ++i) {
    auto r = emu.send("POST", "/dbs", nlohmann::json{{"id", "db" + std::to_string(i)}}.dump());
    INFO(r.status << " " << r.body);
    REQUIRE((r.status == 201 || r.status == 429 || r.status == 503));
    (r.status == 201 ? created : faulted)++;
  }
  CHECK(created > 10);
  CHECK(faulted > 10);
  auto counts = emu.srv->faults_injected();
  CHECK(counts.throttled + counts.unavailable == static_cast<uint64_t>(faulted));
  std::filesystem::remove_all(dir);
}

TEST_CASE("emulator server: the fault route cannot be called directly", "[emulator][server]") {
  emulator_fixture emu;
  auto r = emu.raw("POST", "/_emulator/injected-fault", "{}", {});
  CHECK(r.status == 404);
  CHECK(r.code() == "NotFound");
}

TEST_CASE("emulator server: faults can be limited to some paths", "[emulator][server]") {
  auto opts = with_faults("503=1");
  server_config config;
  config.port = 0;
  config.faults = opts.faults;
  config.fault_scope = [](const std::string& path) { return cosmos::is_cosmos_path(path); };
  server srv{config};
  srv.http().Get("/keys", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  REQUIRE(srv.start());
  httplib::Client cli{"127.0.0.1", srv.port()};
  auto outside = cli.Get("/keys");
  REQUIRE(outside);
  CHECK(outside->status == 200);
  auto inside = cli.Get("/dbs");
  REQUIRE(inside);
  CHECK(inside->status == 503);
  CHECK(cosmos::is_cosmos_path("/"));
  CHECK(cosmos::is_cosmos_path("/dbs/x/colls"));
  CHECK_FALSE(cosmos::is_cosmos_path("/dbsx"));
  CHECK_FALSE(cosmos::is_cosmos_path("/keys/k"));
}

TEST_CASE("emulator server: injected 503s", "[emulator][server]") {
  emulator_fixture emu{with_faults("503=1")};
  auto r = emu.send("POST", "/dbs", R"({"id":"x"})");
  CHECK(r.status == 503);
  CHECK(r.code() == "ServiceUnavailable");
  CHECK_THAT(r.message(), Catch::Contains("not processed"));
  CHECK(emu.srv->faults_injected().unavailable == 1);
}

TEST_CASE("emulator server: injected resets close the connection without an answer",
          "[emulator][server]") {
  emulator_fixture emu{with_faults("reset=1")};
  httplib::Client cli{"127.0.0.1", emu.srv->port()};
  auto res = cli.Get("/");
  REQUIRE_FALSE(res);
  CHECK((res.error() == httplib::Error::Read || res.error() == httplib::Error::Write ||
         res.error() == httplib::Error::Connection));
  CHECK(emu.srv->faults_injected().reset == 1);
  // The server is still fine afterwards.
  auto again = cli.Get("/");
  CHECK_FALSE(again);
  CHECK(emu.srv->faults_injected().reset == 2);
}

TEST_CASE("emulator server: with reset=0.5 the other half is answered", "[emulator][server]") {
  emulator_fixture emu{with_faults("reset=0.5,seed=3")};
  int answered = 0;
  int dropped = 0;
  for (int i = 0; i < 40; ++i) {
    httplib::Client cli{"127.0.0.1", emu.srv->port()};
    auto res = cli.Get("/no-such-route");
    if (res) {
      CHECK(res->status == 404);
      ++answered;
    } else {
      ++dropped;
    }
  }
  CHECK(answered > 5);
  CHECK(dropped > 5);
  CHECK(static_cast<uint64_t>(dropped) == emu.srv->faults_injected().reset);
}

TEST_CASE("emulator server: many concurrent keep-alive clients", "[emulator][server]") {
  emulator_fixture emu;
  REQUIRE(emu.create_database("db").status == 201);
  REQUIRE(emu.create_container("db", "c").status == 201);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      httplib::Client own{"127.0.0.1", emu.srv->port()};
      for (int i = 0; i < 10; ++i) {
        auto body = nlohmann::json{{"id", std::to_string(t) + "-" + std::to_string(i)},
                                   {"pk", "p" + std::to_string(t)}};
        if (emu.send_via(own, "POST", "/dbs/db/colls/c/docs", body.dump()).status == 201)
          ++ok;
      }
    });
  for (auto& th : threads)
    th.join();
  CHECK(ok == 160);
}

TEST_CASE("emulator server: a taken port is a clear error", "[emulator][server]") {
  emulator_fixture emu;
  server_config config;
  config.port = emu.srv->port();
  server second{config};
  auto started = second.start();
  REQUIRE_FALSE(started);
  CHECK_THAT(
      bulkd::cosmos::error_message(started.error()),
      Catch::Contains("emulator cannot listen on 127.0.0.1:" + std::to_string(emu.srv->port())));
}
