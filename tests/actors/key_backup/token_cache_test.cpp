// token_cache against a local token endpoint: one request in flight per (scope, tenant) however
// many ask, cached tokens answered without a request, refresh ahead of expiry in the background,
// expired tokens waited for, force after a 401, and refusals answered as errors (and retried by
// the next ask).

#include "actors/actor_system_setup.hpp"
#include "actors/http_pool.hpp"
#include "actors/token_cache_actor.hpp"
#include "clients/error.hpp"
#include "clients/identity/client_secret_credential.hpp"
#include "tests/actors/http_test_server.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <vector>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

struct token_env {
  test::test_server server;
  std::atomic<int> hits{0};
  std::atomic<bool> refuse{false};
  std::atomic<int64_t> now{1'800'000'000};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  http_pool_actor pool;
  token_cache_actor cache;

  token_env() {
    server->Post(R"(/([^/]+)/oauth2/v2\.0/token)",
                 [this](const httplib::Request&, httplib::Response& res) {
                   int n = ++hits;
                   std::this_thread::sleep_for(150ms); // let concurrent asks overlap
                   if (refuse) {
                     res.status = 401;
                     res.set_content(R"({"error":"invalid_client","error_description":)"
                                     R"("AADSTS7000215: Invalid client secret provided."})",
                                     "application/json");
                     return;
                   }
                   res.set_content(R"({"token_type":"Bearer","expires_in":3600,)"
                                   R"("access_token":"tok-)" +
                                       std::to_string(n) + "\"}",
                                   "application/json");
                 });
    server.start();
    configure_actor_system(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    pool = spawn_http_pool(*sys, {});
    auto cred = identity::make_client_secret_credential(
        {"tenant-1", "client-1", "s3cret", server.origin(), {}});
    REQUIRE(cred);
    token_cache_config tc;
    tc.credential = *cred;
    tc.pool = pool;
    tc.clock = [this] { return identity::seconds_clock_time{std::chrono::seconds{now.load()}}; };
    cache = spawn_token_cache(*sys, tc);
  }

  ~token_env() {
    caf::anon_send_exit(cache, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
  }

  caf::expected<identity::token> ask(const std::string& scope = "https://vault.azure.net/.default",
                                     bool force = false) {
    caf::scoped_actor self{*sys};
    caf::expected<identity::token> out{caf::error{}};
    self->request(cache, 10s, token_atom::value, scope, std::string{}, force)
        .receive([&](identity::token& t) { out = std::move(t); },
                 [&](caf::error& err) { out = std::move(err); });
    return out;
  }
};

} // namespace

TEST_CASE("token_cache coalesces concurrent asks into one token request", "[token_cache]") {
  token_env env;
  caf::scoped_actor self{*env.sys};
  for (int i = 0; i < 10; ++i)
    self->send(env.cache, token_atom::value, std::string{"https://vault.azure.net/.default"},
               std::string{}, false);
  std::vector<std::string> got;
  for (int i = 0; i < 10; ++i)
    self->receive([&](identity::token& t) { got.push_back(t.value); },
                  [&](caf::error& err) { FAIL(render(err)); }, caf::after(10s) >> [] { FAIL(); });
  CHECK(env.hits == 1);
  CHECK(got == std::vector<std::string>(10, "tok-1"));
  // Cached: no request.
  auto again = env.ask();
  REQUIRE(again);
  CHECK(again->value == "tok-1");
  CHECK(env.hits == 1);
  // Another scope is another token.
  auto other = env.ask("https://storage.azure.com/.default");
  REQUIRE(other);
  CHECK(other->value == "tok-2");
  CHECK(env.hits == 2);
}

TEST_CASE("token_cache refreshes ahead of expiry and waits once expired", "[token_cache]") {
  token_env env;
  auto first = env.ask();
  REQUIRE(first);
  CHECK(first->value == "tok-1");
  // Past half of the hour: still valid, handed out, and a new one is fetched meanwhile.
  env.now += 1900;
  auto during = env.ask();
  REQUIRE(during);
  CHECK(during->value == "tok-1");
  for (int i = 0; i < 200 && env.hits < 2; ++i)
    std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(300ms);
  CHECK(env.hits == 2);
  auto refreshed = env.ask();
  REQUIRE(refreshed);
  CHECK(refreshed->value == "tok-2");
  // Expired: the ask waits for a new token.
  env.now += 4000;
  auto after = env.ask();
  REQUIRE(after);
  CHECK(after->value == "tok-3");
  // force (the vault said 401): a new token although the cached one looks fine.
  auto forced = env.ask("https://vault.azure.net/.default", true);
  REQUIRE(forced);
  CHECK(forced->value == "tok-4");
  CHECK(env.hits == 4);
}

TEST_CASE("token_cache answers a refusal as an error and asks again next time", "[token_cache]") {
  token_env env;
  env.refuse = true;
  auto refused = env.ask();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == static_cast<uint8_t>(ec::unauthorized));
  CHECK_THAT(render(refused.error()), Catch::Contains("AADSTS7000215"));
  CHECK_THAT(render(refused.error()), !Catch::Contains("s3cret"));
  env.refuse = false;
  auto ok = env.ask();
  REQUIRE(ok);
  CHECK(ok->value == "tok-2");
  CHECK(env.hits == 2);
}
