#include "daemon/admin_server.hpp"
#include "daemon/metrics_registry.hpp"
#include "tests/daemon/prometheus_parser.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

using namespace bulkd;

namespace {

admin_server_config loopback(std::string token = {}) {
  admin_server_config cfg;
  cfg.port = 0;
  cfg.token = std::move(token);
  return cfg;
}

} // namespace

TEST_CASE("the admin server serves healthz, readyz, metrics and JSON 404s", "[admin]") {
  metrics::registry reg;
  auto& requests = reg.counter_family("bulkd_test_requests_total", "Requests.", {"job"});
  requests.with({"a"}).inc(3);
  auto& refreshed = reg.gauge_family("bulkd_test_refreshes", "Metric refreshes.").get();
  std::atomic<bool> ready{false};
  admin_server srv{loopback(), reg};
  srv.set_readiness([&] { return ready.load(); });
  srv.set_before_metrics([&] { refreshed.inc(); });
  auto port = srv.start();
  REQUIRE(port);
  REQUIRE(*port != 0);
  CHECK(srv.port() == *port);
  CHECK(srv.running());
  httplib::Client cli{"127.0.0.1", *port};

  auto health = cli.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body == "ok\n");

  auto not_ready = cli.Get("/readyz");
  REQUIRE(not_ready);
  CHECK(not_ready->status == 503);
  CHECK(not_ready->body == "not ready\n");
  ready = true;
  auto is_ready = cli.Get("/readyz");
  REQUIRE(is_ready);
  CHECK(is_ready->status == 200);
  CHECK(is_ready->body == "ready\n");

  auto m = cli.Get("/metrics");
  REQUIRE(m);
  CHECK(m->status == 200);
  CHECK(m->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  auto parsed = test::parse_prometheus_text(m->body);
  REQUIRE(parsed.error == "");
  CHECK(parsed.doc.value("bulkd_test_requests_total", {{"job", "a"}}) == 3);
  CHECK(parsed.doc.value("bulkd_test_refreshes") == 1); // the hook ran before rendering

  auto missing = cli.Get("/nope?x=1");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->get_header_value("Content-Type") == "application/json");
  CHECK(nlohmann::json::parse(missing->body) ==
        nlohmann::json{{"error", "not found"}, {"path", "/nope"}});
  auto wrong_method = cli.Post("/healthz", "", "text/plain");
  REQUIRE(wrong_method);
  CHECK(wrong_method->status == 404);
  CHECK(nlohmann::json::parse(wrong_method->body)["error"] == "not found");

  srv.stop();
  CHECK_FALSE(srv.running());
  srv.stop(); // idempotent
  httplib::Client after{"127.0.0.1", *port};
  CHECK_FALSE(after.Get("/healthz"));
}

TEST_CASE("with a token, requests need the bearer token except health probes", "[admin]") {
  metrics::registry reg;
  admin_server srv{loopback("s3cret"), reg};
  REQUIRE_FALSE(srv.add_route(http_method::get, "/v1/jobs",
                              [](const httplib::Request&, httplib::Response& res) {
                                res.set_content("[]", "application/json");
                              }));
  auto port = srv.start();
  REQUIRE(port);
  httplib::Client cli{"127.0.0.1", *port};

  for (const char* path : {"/metrics", "/v1/jobs", "/unknown"}) {
    INFO(path);
    auto res = cli.Get(path);
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(res->get_header_value("WWW-Authenticate") == "Bearer realm=\"bulkd\"");
    CHECK(nlohmann::json::parse(res->body) == nlohmann::json{{"error", "unauthorized"}});
  }
  for (const char* header :
       {"Bearer wrong", "Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "s3cret", "Bearer "}) {
    INFO(header);
    auto res = cli.Get("/metrics", {{"Authorization", header}});
    REQUIRE(res);
    CHECK(res->status == 401);
  }
  CHECK(cli.Get("/healthz")->status == 200);
  CHECK(cli.Get("/readyz")->status == 200);

  httplib::Headers auth{{"Authorization", "Bearer s3cret"}};
  auto jobs = cli.Get("/v1/jobs", auth);
  REQUIRE(jobs);
  CHECK(jobs->status == 200);
  CHECK(jobs->body == "[]");
  CHECK(cli.Get("/metrics", {{"Authorization", "bearer s3cret"}})->status == 200);
  auto missing = cli.Get("/v2/x", auth);
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(nlohmann::json::parse(missing->body)["path"] == "/v2/x");

  auto late = srv.add_route(http_method::post, "/late", {});
  REQUIRE(late);
  CHECK(render(late).find("routes must be added before the server starts") != std::string::npos);
  auto again = srv.start();
  REQUIRE_FALSE(again);
  CHECK(render(again.error()).find("the admin server was started already") != std::string::npos);
}

TEST_CASE("handler exceptions become a 500 JSON error", "[admin]") {
  metrics::registry reg;
  admin_server srv{loopback(), reg};
  REQUIRE_FALSE(
      srv.add_route(http_method::post, "/v1/boom", [](const httplib::Request&, httplib::Response&) {
        throw std::runtime_error("kaboom");
      }));
  auto port = srv.start();
  REQUIRE(port);
  httplib::Client cli{"127.0.0.1", *port};
  auto res = cli.Post("/v1/boom", "{}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 500);
  CHECK(nlohmann::json::parse(res->body) == nlohmann::json{{"error", "internal error"}});
}

TEST_CASE("a port in use is an error, not a shared port", "[admin]") {
  metrics::registry reg;
  admin_server first{loopback(), reg};
  auto port = first.start();
  REQUIRE(port);
  admin_server_config cfg;
  cfg.port = *port;
  admin_server second{cfg, reg};
  auto res = second.start();
  REQUIRE_FALSE(res);
  CHECK(render(res.error())
            .find("admin server cannot listen on 127.0.0.1:" + std::to_string(*port)) !=
        std::string::npos);
  CHECK_FALSE(second.running());
  second.stop(); // nothing to stop
}

TEST_CASE("stop returns while clients hold idle keep-alive connections", "[admin]") {
  metrics::registry reg;
  admin_server srv{loopback(), reg};
  auto port = srv.start();
  REQUIRE(port);
  httplib::Client cli{"127.0.0.1", *port};
  cli.set_keep_alive(true);
  for (int i = 0; i < 3; ++i)
    REQUIRE(cli.Get("/healthz")->status == 200);
  srv.stop(); // ends within keep_alive_timeout; a hang fails the test through ctest's timeout
  CHECK_FALSE(srv.running());
}

TEST_CASE("start and stop right away do not hang", "[admin]") {
  metrics::registry reg;
  for (int i = 0; i < 20; ++i) {
    admin_server srv{loopback(), reg};
    REQUIRE(srv.start());
    srv.stop();
  }
  admin_server never_started{loopback(), reg}; // destructor without start
}

TEST_CASE("listen addresses parse, bad ones are refused with a message", "[admin]") {
  CHECK(parse_listen_address("127.0.0.1:8686") ==
        std::pair<std::string, uint16_t>{"127.0.0.1", 8686});
  CHECK(parse_listen_address("[::1]:0") == std::pair<std::string, uint16_t>{"::1", 0});
  CHECK(parse_listen_address("localhost:65535") ==
        std::pair<std::string, uint16_t>{"localhost", 65535});
  auto error_of = [](std::string_view text) {
    auto r = parse_listen_address(text);
    REQUIRE_FALSE(r);
    return render(r.error());
  };
  CHECK_THAT(error_of("8686"),
             Catch::Contains("invalid listen address '8686': expected host:port"));
  CHECK_THAT(error_of(":8686"), Catch::Contains("empty host"));
  CHECK_THAT(error_of("h:65536"), Catch::Contains("port must be a number from 0 to 65535"));
  CHECK_THAT(error_of("h:80x"), Catch::Contains("port must be a number from 0 to 65535"));
  CHECK_THAT(error_of("h:"), Catch::Contains("port must be a number from 0 to 65535"));
  CHECK_THAT(error_of("::1:80"), Catch::Contains("write IPv6 addresses as [addr]:port"));
  CHECK_THAT(error_of("[::1:80"), Catch::Contains("missing ']'"));
  CHECK_THAT(error_of("[::1]80"), Catch::Contains("expected [host]:port"));
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("10.0.0.1"));
}
