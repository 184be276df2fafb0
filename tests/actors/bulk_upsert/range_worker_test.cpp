// range_worker against a scripted http_pool: per-operation results decide what happens to each
// record (written, dead-lettered, re-batched, handed back for re-routing, retried).

#include "actors/actor_system_setup.hpp"
#include "actors/bulk_upsert/bulk_messages.hpp"
#include "actors/bulk_upsert/range_worker_actor.hpp"
#include "actors/http_pool.hpp"
#include "clients/cosmos/authorization.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mutex>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

constexpr const char* key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

/// Gets the ids of a bulk request's operations and the call number; returns the results array.
using script_fn = std::function<nlohmann::json(const std::vector<std::string>& ids, size_t call)>;

struct calls_log {
  std::mutex mtx;
  std::vector<std::vector<std::string>> requests; // ids per request
};

struct fake_pool_state {
  size_t calls = 0;
};

http_pool_actor::behavior_type fake_pool(http_pool_actor::stateful_pointer<fake_pool_state> self,
                                         script_fn script, std::shared_ptr<calls_log> log) {
  return {
      [=](http_atom, http_request req) -> http_response {
        auto ops = nlohmann::json::parse(req.body);
        std::vector<std::string> ids;
        for (auto& op : ops)
          ids.push_back(op["resourceBody"]["id"].get<std::string>());
        {
          std::lock_guard guard{log->mtx};
          log->requests.push_back(ids);
        }
        auto results = script(ids, self->state.calls++);
        http_response res;
        res.status = 207;
        res.headers.add("x-ms-request-charge", "1");
        res.body = results.dump();
        return res;
      },
      [](http_stats_atom) { return http_pool_stats{}; },
  };
}

struct worker_env {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor job;
  std::shared_ptr<calls_log> log = std::make_shared<calls_log>();
  caf::actor worker;
  http_pool_actor pool;

  worker_env(script_fn script, uint32_t batch) : sys((configure_actor_system(cfg), cfg)), job(sys) {
    pool = sys.spawn(fake_pool, std::move(script), log);
    range_worker_config wc;
    wc.range_id = "0";
    auto cred = cosmos::credential::from_master_key(key);
    wc.builder = std::make_shared<const cosmos::request_builder>(
        *cosmos::request_builder::make("http://127.0.0.1:1/", std::move(*cred)));
    wc.container = {"db", "c"};
    wc.pool = pool;
    wc.job = caf::actor_cast<caf::actor>(job);
    wc.batch = batch;
    wc.max_in_flight = 1;
    wc.initial_in_flight = 1;
    wc.retry.max_attempts = 3;
    wc.retry.initial_backoff = 1ms;
    wc.retry.max_backoff = 2ms;
    worker = spawn_range_worker(job.ptr(), wc);
  }

  ~worker_env() {
    job->send_exit(worker, caf::exit_reason::kill);
    job->send_exit(pool, caf::exit_reason::kill);
  }

  static std::vector<input_record> records(size_t n) {
    std::vector<input_record> out;
    for (size_t i = 0; i < n; ++i) {
      input_record r;
      r.at = {0, i + 1, i * 10, i * 10 + 10};
      r.id = "d" + std::to_string(i);
      r.document = R"({"id":")" + r.id + R"(","pk":"k"})";
      r.key = {std::string{"k"}};
      out.push_back(std::move(r));
    }
    return out;
  }

  /// Sends the records as the reader does and waits for the acknowledgement.
  bool feed(std::vector<input_record> recs) {
    bool acked = false;
    job->request(worker, 10s, std::move(recs))
        .receive([&](caf::ok_atom) { acked = true; }, [](caf::error&) {});
    return acked;
  }

  struct totals {
    std::vector<input_position> written;
    std::vector<failed_record> failed;
    std::vector<input_record> rerouted;
    uint64_t rebatches = 0;
    uint64_t retries = 0;
    uint64_t throttles = 0;
  };

  /// Collects reports until `n` records are accounted for (or 10 s pass).
  totals collect(size_t n) {
    totals t;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (t.written.size() + t.failed.size() + t.rerouted.size() < n &&
           std::chrono::steady_clock::now() < deadline) {
      job->receive(
          [&](settled_batch& b) {
            t.written.insert(t.written.end(), b.written.begin(), b.written.end());
            for (auto& f : b.failed)
              t.failed.push_back(f);
            t.rebatches += b.rebatches;
            t.retries += b.retries;
            t.throttles += b.throttles;
          },
          [&](reroute_records& r) {
            for (auto& rec : r.records)
              t.rerouted.push_back(rec);
          },
          caf::after(std::chrono::seconds{1}) >> [] {});
    }
    return t;
  }
};

nlohmann::json ok(size_t n) {
  auto out = nlohmann::json::array();
  for (size_t i = 0; i < n; ++i)
    out.push_back({{"statusCode", 201}, {"requestCharge", 5}});
  return out;
}

} // namespace

TEST_CASE("range worker: 413/3402 re-batches the operations in halves", "[actors][bulk_upsert]") {
  worker_env env{[](const std::vector<std::string>& ids, size_t call) {
                   if (call == 0) {
                     auto out = nlohmann::json::array();
                     for (size_t i = 0; i < ids.size(); ++i)
                       out.push_back({{"statusCode", 413}, {"subStatusCode", 3402}});
                     return out;
                   }
                   return ok(ids.size());
                 },
                 4};
  REQUIRE(env.feed(worker_env::records(4)));
  auto t = env.collect(4);
  CHECK(t.written.size() == 4);
  CHECK(t.failed.empty());
  CHECK(t.rebatches == 4);
  std::lock_guard guard{env.log->mtx};
  REQUIRE(env.log->requests.size() == 3);
  CHECK(env.log->requests[0].size() == 4);
  CHECK(env.log->requests[1] == std::vector<std::string>{"d0", "d1"});
  CHECK(env.log->requests[2] == std::vector<std::string>{"d2", "d3"});
}

TEST_CASE("range worker: 410/1002 hands records back, 400 dead-letters, 429 retries",
          "[actors][bulk_upsert]") {
  worker_env env{[](const std::vector<std::string>& ids, size_t) {
                   auto out = nlohmann::json::array();
                   for (auto& id : ids) {
                     if (id == "d1")
                       out.push_back({{"statusCode", 410}, {"subStatusCode", 1002}});
                     else if (id == "d2")
                       out.push_back({{"statusCode", 400}, {"subStatusCode", 0}});
                     else if (id == "d3" && ids.size() > 1)
                       out.push_back({{"statusCode", 429},
                                      {"subStatusCode", 3200},
                                      {"retryAfterMilliseconds", 5}});
                     else
                       out.push_back({{"statusCode", 201}});
                   }
                   return out;
                 },
                 100};
  REQUIRE(env.feed(worker_env::records(4)));
  auto t = env.collect(4);
  REQUIRE(t.rerouted.size() == 1);
  CHECK(t.rerouted[0].id == "d1");
  CHECK(t.rerouted[0].document == R"({"id":"d1","pk":"k"})");
  CHECK(t.rerouted[0].at.line == 2);
  REQUIRE(t.failed.size() == 1);
  CHECK(t.failed[0].id == "d2");
  CHECK(t.failed[0].status == 400);
  CHECK(t.failed[0].at.line == 3);
  CHECK_THAT(t.failed[0].message, Catch::Contains("bad request"));
  CHECK(t.failed[0].record == R"({"id":"d2","pk":"k"})");
  CHECK(t.written.size() == 2);
  CHECK(t.throttles == 1);
  CHECK(t.retries == 1);
}

TEST_CASE("range worker: retryable failures stop after retry.max_attempts",
          "[actors][bulk_upsert]") {
  worker_env env{[](const std::vector<std::string>& ids, size_t) {
                   auto out = nlohmann::json::array();
                   for (size_t i = 0; i < ids.size(); ++i)
                     out.push_back({{"statusCode", 503}});
                   return out;
                 },
                 100};
  REQUIRE(env.feed(worker_env::records(2)));
  auto t = env.collect(2);
  REQUIRE(t.failed.size() == 2);
  CHECK(t.failed[0].status == 503);
  CHECK_THAT(t.failed[0].message, Catch::Contains("after 3 attempts"));
  CHECK(t.retries == 4); // two operations, each sent 3 times
  std::lock_guard guard{env.log->mtx};
  CHECK(env.log->requests.size() == 3);
}
