// cosmos_container_session against a scripted http_pool: create_if_missing, pkranges paging,
// retried transient failures, and the errors it reports.

#include "actors/actor_system_setup.hpp"
#include "actors/cosmos_container_session.hpp"
#include "actors/http_pool.hpp"
#include "clients/cosmos/authorization.hpp"
#include "clients/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <mutex>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

constexpr const char* key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

using script_fn = std::function<http_response(const http_request&)>;

struct request_log {
  std::mutex mtx;
  std::vector<std::string> lines; // "METHOD target"
};

http_pool_actor::behavior_type scripted_pool(http_pool_actor::pointer, script_fn script,
                                             std::shared_ptr<request_log> log) {
  return {
      [=](http_atom, const http_request& req) -> http_response {
        {
          std::lock_guard guard{log->mtx};
          log->lines.push_back(req.method + " " + req.target);
        }
        return script(req);
      },
      [](http_stats_atom) { return http_pool_stats{}; },
  };
}

http_response answer(int status, std::string body, http_headers headers = {}) {
  http_response res;
  res.status = status;
  res.headers = std::move(headers);
  res.body = std::move(body);
  return res;
}

constexpr const char* container_json =
    R"({"id":"c","_rid":"AQAAAIEAAAA=","partitionKey":{"paths":["/pk"],"kind":"Hash","version":2}})";

struct session_env {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  std::shared_ptr<request_log> log = std::make_shared<request_log>();
  http_pool_actor pool;

  explicit session_env(script_fn script) : sys((configure_actor_system(cfg), cfg)) {
    pool = sys.spawn(scripted_pool, std::move(script), log);
  }

  ~session_env() { caf::anon_send_exit(pool, caf::exit_reason::kill); }

  caf::expected<cosmos_container_info> open(std::optional<cosmos_create_spec> create) {
    auto cred = cosmos::credential::from_master_key(key);
    auto builder = cosmos::request_builder::make("http://127.0.0.1:1/", std::move(*cred));
    cosmos_session_options opts;
    opts.initial_backoff = 1ms;
    opts.max_backoff = 2ms;
    opts.max_attempts = 3;
    auto session = cosmos_container_session::make(std::move(*builder), pool, {"db", "c"}, opts);
    auto done = std::make_shared<std::promise<caf::expected<cosmos_container_info>>>();
    auto result = done->get_future();
    sys.spawn([session, create, done](caf::event_based_actor* self) -> caf::behavior {
      session->open(self, create, [self, done](caf::expected<cosmos_container_info> info) {
        done->set_value(std::move(info));
        self->quit();
      });
      return deferred_calls();
    });
    if (result.wait_for(10s) != std::future_status::ready)
      return make_error(ec::timeout, "no answer");
    return result.get();
  }

  std::vector<std::string> requests() {
    std::lock_guard guard{log->mtx};
    return log->lines;
  }
};

} // namespace

TEST_CASE("container session: creates database and container when missing, reads all range "
          "pages",
          "[actors][bulk_upsert]") {
  auto reads = std::make_shared<int>(0);
  session_env env{[reads](const http_request& req) {
    if (req.method == "GET" && req.target == "/dbs/db/colls/c")
      return (*reads)++ == 0 ? answer(404, R"({"code":"NotFound","message":"no"})")
                             : answer(200, container_json);
    if (req.method == "POST" && req.target == "/dbs")
      return answer(409, R"({"code":"Conflict","message":"exists"})");
    if (req.method == "POST" && req.target == "/dbs/db/colls")
      return answer(201, container_json);
    if (req.target == "/dbs/db/colls/c/pkranges") {
      if (req.headers.value("x-ms-continuation").empty())
        return answer(
            200,
            R"({"_rid":"AQAAAIEAAAA=","PartitionKeyRanges":[{"id":"0","minInclusive":"","maxExclusive":"20"}]})",
            {{"x-ms-continuation", "page2"}, {"etag", "\"1\""}});
      return answer(
          200,
          R"({"_rid":"AQAAAIEAAAA=","PartitionKeyRanges":[{"id":"1","minInclusive":"20","maxExclusive":"FF"}]})");
    }
    return answer(500, R"({"code":"Unexpected","message":"unexpected request"})");
  }};
  auto info = env.open(cosmos_create_spec{"/pk", 400});
  REQUIRE(info);
  CHECK(info->created);
  CHECK(info->properties.partition_key.paths == std::vector<std::string>{"/pk"});
  REQUIRE(info->routing.size() == 2);
  CHECK(info->routing.ranges()[0].id == "0");
  CHECK(info->routing.ranges()[1].id == "1");
  CHECK(env.requests() == std::vector<std::string>{"GET /dbs/db/colls/c", "POST /dbs",
                                                   "POST /dbs/db/colls", "GET /dbs/db/colls/c",
                                                   "GET /dbs/db/colls/c/pkranges",
                                                   "GET /dbs/db/colls/c/pkranges"});
}

TEST_CASE("container session: retries 503 and 429, then gives up with the last reason",
          "[actors][bulk_upsert]") {
  auto calls = std::make_shared<int>(0);
  session_env env{[calls](const http_request& req) {
    if (req.target == "/dbs/db/colls/c") {
      if ((*calls)++ < 2)
        return answer(503, R"({"code":"ServiceUnavailable","message":"busy"})");
      return answer(200, container_json);
    }
    return answer(429, R"({"code":"TooManyRequests","message":"slow down"})",
                  {{"x-ms-retry-after-ms", "1"}});
  }};
  auto info = env.open(std::nullopt);
  REQUIRE_FALSE(info);
  CHECK_THAT(render(info.error()),
             Catch::Contains("GET http://127.0.0.1:1/dbs/db/colls/c/pkranges") &&
                 Catch::Contains("429"));
  auto reqs = env.requests();
  CHECK(std::count(reqs.begin(), reqs.end(), "GET /dbs/db/colls/c") == 3);
  CHECK(std::count(reqs.begin(), reqs.end(), "GET /dbs/db/colls/c/pkranges") == 3);
}

TEST_CASE("container session: a missing container without create_if_missing is an error",
          "[actors][bulk_upsert]") {
  session_env env{[](const http_request&) {
    return answer(404, R"({"code":"NotFound","message":"Resource Not Found"})");
  }};
  auto info = env.open(std::nullopt);
  REQUIRE_FALSE(info);
  CHECK_THAT(render(info.error()), Catch::Contains("container dbs/db/colls/c does not exist (set "
                                                   "target.create_if_missing to create it)"));
  CHECK(env.requests().size() == 1);
}

TEST_CASE("container session: AAD accounts are refused with a clear message",
          "[actors][bulk_upsert]") {
  account_config account;
  account.name = "main";
  account.auth = account_auth::credential;
  account.endpoint = "https://acct.documents.azure.com:443/";
  auto builder = make_request_builder(account);
  REQUIRE_FALSE(builder);
  CHECK_THAT(render(builder.error()), Catch::Contains("account main: Entra ID (AAD) credentials "
                                                      "are not supported by `bulkd run` yet"));
}
