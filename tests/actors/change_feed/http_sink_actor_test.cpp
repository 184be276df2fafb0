#include "../http_test_server.hpp"
#include "actors/actor_system_setup.hpp"
#include "actors/change_feed/http_sink_actor.hpp"
#include "actors/http_pool.hpp"
#include "clients/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

using namespace bulkd;
using namespace std::chrono_literals;
using bulkd::test::test_server;

namespace {

using clock_type = std::chrono::steady_clock;

change_batch make_batch(const std::string& range, uint64_t seq, size_t docs = 3) {
  change_batch b;
  b.job = "feed";
  b.range_id = range;
  b.sequence = seq;
  for (size_t i = 0; i < docs; ++i)
    b.documents.push_back(nlohmann::json{
        {"id", range + "-" + std::to_string(seq) + "-" + std::to_string(i)},
        {"range", range},
        {"seq", seq}}.dump());
  return b;
}

// Ends the connection after the status line and headers: the client sees a broken response.
void drop_connection(httplib::Response& res) {
  res.set_content_provider(100, "application/json",
                           [](size_t, size_t, httplib::DataSink&) { return false; });
}

// The actor system, the pool and the sink; declare it after the server.
struct sink_env {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  http_pool_actor pool;
  feed_sink_actor sink;

  explicit sink_env(http_sink spec, size_t workers = 8)
      : sys((configure_actor_system(cfg), cfg)), self(sys) {
    http_pool_config pc;
    pc.workers = workers;
    pc.connect_timeout = 2s;
    pool = spawn_http_pool(sys, pc);
    http_sink_config sc;
    sc.spec = std::move(spec);
    sc.pool = pool;
    sink = spawn_http_sink(sys, std::move(sc));
  }

  ~sink_env() {
    self->send_exit(sink, caf::exit_reason::user_shutdown);
    self->wait_for(sink);
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    self->wait_for(pool);
  }

  caf::error deliver(change_batch b) {
    caf::error out = make_error(ec::unspecified, "no answer");
    self->request(sink, 60s, sink_deliver_atom::value, std::move(b))
        .receive([&](caf::ok_atom) { out = caf::none; }, [&](caf::error& err) { out = err; });
    return out;
  }
};

http_sink spec_for(const test_server& server, retry_policy retry) {
  http_sink s;
  s.url = server.origin() + "/feed?sig=query-secret";
  s.headers.emplace("Authorization", secret{"Bearer very-secret-token"});
  s.timeout = 5s;
  s.retry = retry;
  return s;
}

using done_atom = caf::atom_constant<caf::atom("done")>;

// Delivers batches 0..n-1 of one range, each after the previous one was acknowledged, as a
// range worker does; reports (range, acked, first error) to `report`.
caf::behavior range_driver(caf::event_based_actor* self, feed_sink_actor sink, std::string range,
                           uint64_t n, caf::actor report) {
  auto next = std::make_shared<std::function<void(uint64_t)>>();
  *next = [=](uint64_t seq) {
    if (seq == n) {
      self->send(report, done_atom::value, range, n, std::string{});
      self->quit();
      return;
    }
    self->request(sink, caf::infinite, sink_deliver_atom::value, make_batch(range, seq))
        .then([=](caf::ok_atom) { (*next)(seq + 1); },
              [=](caf::error& err) {
                self->send(report, done_atom::value, range, seq, render(err));
                self->quit();
              });
  };
  // The function holds `next` and so itself: break that cycle when the actor ends.
  self->attach_functor([next] { *next = nullptr; });
  (*next)(0);
  return {[](caf::unit_t) {}};
}

} // namespace

TEST_CASE("http sink delivers every batch in order per range through a failing server",
          "[http_sink_actor]") {
  constexpr uint64_t per_range = 75;
  const std::vector<std::string> ranges{"0", "1", "2", "3"}; // 300 batches
  struct range_log {
    std::vector<uint64_t> processed;        // sequences, in the order the server took them
    uint64_t processed_then_dropped = 0;    // their answers never reached the sink
    std::map<uint64_t, std::string> bodies; // what each sequence carried
  };
  std::mutex mtx;
  std::map<std::string, range_log> logs;
  std::mt19937 rng{20261121};
  uint64_t requests = 0, failed_500 = 0, dropped_unprocessed = 0, bad = 0;
  test_server server;
  server->Post("/feed", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> guard{mtx};
    ++requests;
    if (req.get_header_value("Authorization") != "Bearer very-secret-token" ||
        req.get_header_value("Content-Type") != "application/json")
      ++bad;
    auto roll = std::uniform_int_distribution<int>{0, 99}(rng);
    // 30% of the requests fail: 15% a 500, 8% a dropped connection before the batch was taken,
    // 7% a dropped connection after it was taken (the sink must send it again: a duplicate).
    if (roll < 15) {
      ++failed_500;
      res.status = 500;
      res.set_content("{\"error\":\"try again\"}", "application/json");
      return;
    }
    if (roll < 23) {
      ++dropped_unprocessed;
      drop_connection(res);
      return;
    }
    auto& log = logs[req.get_header_value("x-bulkd-range")];
    auto seq = std::stoull(req.get_header_value("x-bulkd-sequence"));
    log.processed.push_back(seq);
    log.bodies[seq] = req.body;
    if (roll < 30) {
      ++log.processed_then_dropped;
      drop_connection(res);
      return;
    }
    res.status = 200;
  });
  server.start();
  sink_env env{spec_for(server, {50, 1ms, 20ms})};
  for (auto& r : ranges)
    env.sys.spawn(range_driver, env.sink, r, per_range, caf::actor_cast<caf::actor>(env.self));
  std::map<std::string, std::pair<uint64_t, std::string>> results;
  for (size_t i = 0; i < ranges.size(); ++i)
    env.self->receive(
        [&](done_atom, const std::string& range, uint64_t acked, const std::string& err) {
          results[range] = {acked, err};
        },
        caf::after(120s) >> [&] { FAIL("a range driver did not finish"); });
  std::lock_guard<std::mutex> guard{mtx};
  uint64_t duplicates = 0, dropped_after = 0;
  for (auto& r : ranges) {
    INFO("range " << r);
    CHECK(results[r] == std::make_pair(per_range, std::string{}));
    auto& log = logs[r];
    // In order: with repeated entries collapsed, the server took 0, 1, ..., n-1.
    std::vector<uint64_t> collapsed;
    for (auto seq : log.processed)
      if (collapsed.empty() || collapsed.back() != seq)
        collapsed.push_back(seq);
    std::vector<uint64_t> expected(per_range);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(collapsed == expected);
    // Duplicates: exactly one per request that was processed but whose answer was lost.
    CHECK(log.processed.size() - per_range == log.processed_then_dropped);
    duplicates += log.processed.size() - per_range;
    dropped_after += log.processed_then_dropped;
    for (uint64_t seq = 0; seq < per_range; ++seq) {
      auto docs = make_batch(r, seq).documents;
      CHECK(log.bodies[seq] == "[" + docs[0] + "," + docs[1] + "," + docs[2] + "]");
    }
  }
  CHECK(bad == 0);
  // The faults did happen (about 30% of the requests).
  CHECK(failed_500 > 20);
  CHECK(dropped_unprocessed > 10);
  CHECK(dropped_after > 10);
  WARN("requests " << requests << ", 500s " << failed_500 << ", dropped before "
                   << dropped_unprocessed << ", dropped after " << dropped_after << ", duplicates "
                   << duplicates);
  CHECK(requests == ranges.size() * per_range + failed_500 + dropped_unprocessed + dropped_after);
}

TEST_CASE("http sink fails a batch at once on a 4xx, without secrets in the error",
          "[http_sink_actor]") {
  std::atomic<int> requests{0};
  test_server server;
  server->Post("/feed", [&](const httplib::Request& req, httplib::Response& res) {
    ++requests;
    res.status = 400;
    // A receiver that echoes what it got.
    res.set_content("rejected; you sent Authorization: " + req.get_header_value("Authorization"),
                    "text/plain");
  });
  server.start();
  sink_env env{spec_for(server, {10, 1ms, 2ms})};
  auto err = env.deliver(make_batch("5", 9));
  REQUIRE(err);
  CHECK(requests == 1);
  auto text = render(err);
  CHECK(text == "http_error: http sink failed batch 5#9: POST " + server.origin() +
                    "/feed answered 400 (not retried): rejected; you sent Authorization: ***");
  CHECK(text.find("very-secret-token") == std::string::npos);
  CHECK(text.find("query-secret") == std::string::npos);
}

TEST_CASE("http sink gives up after the retry policy's attempts", "[http_sink_actor]") {
  std::atomic<int> requests{0};
  test_server server;
  server->Post("/feed", [&](const httplib::Request& req, httplib::Response& res) {
    ++requests;
    res.status = 503;
    res.set_content("down for " + req.get_header_value("Authorization"), "text/plain");
  });
  server.start();
  sink_env env{spec_for(server, {3, 1ms, 2ms})};
  auto err = env.deliver(make_batch("0", 4));
  REQUIRE(err);
  CHECK(requests == 3);
  CHECK(render(err) == "http_error: http sink gave up on batch 0#4 after 3 attempts: POST " +
                           server.origin() + "/feed answered 503: down for ***");
}

TEST_CASE("http sink gives up on a receiver it cannot reach", "[http_sink_actor]") {
  // A port with nothing listening: bind a server, note its origin, stop it.
  std::string origin;
  {
    test_server gone;
    gone.start();
    origin = gone.origin();
  }
  http_sink spec;
  spec.url = origin + "/feed";
  spec.headers.emplace("X-Api-Key", secret{"key-abc"});
  spec.timeout = 2s;
  spec.retry = {2, 1ms, 2ms};
  sink_env env{spec};
  auto err = env.deliver(make_batch("1", 0));
  REQUIRE(err);
  auto text = render(err);
  CHECK(text.rfind("connection_failed: http sink gave up on batch 1#0 after 2 attempts: ", 0) == 0);
  CHECK(text.find(origin.substr(7)) != std::string::npos);
  CHECK(text.find("key-abc") == std::string::npos);
}

TEST_CASE("http sink honours Retry-After", "[http_sink_actor]") {
  std::mutex mtx;
  std::vector<clock_type::time_point> seen;
  std::string retry_after;
  test_server server;
  server->Post("/feed", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> guard{mtx};
    seen.push_back(clock_type::now());
    if (seen.size() == 1) {
      res.status = 429;
      res.set_header("Retry-After", retry_after);
      return;
    }
    res.status = 204;
  });
  server.start();
  // Without Retry-After the retry would come after at most 2 ms.
  sink_env env{spec_for(server, {5, 1ms, 2ms})};
  SECTION("delta seconds") {
    retry_after = "1";
  }
  SECTION("HTTP date") {
    // Two seconds ahead, truncated to the second: a wait of 1-2 s.
    auto t = std::chrono::system_clock::now() + 2s;
    auto tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    retry_after = buf;
  }
  REQUIRE_FALSE(env.deliver(make_batch("0", 0)));
  std::lock_guard<std::mutex> guard{mtx};
  REQUIRE(seen.size() == 2);
  auto waited = seen[1] - seen[0];
  CHECK(waited >= 800ms);
  CHECK(waited < 10s);
}

TEST_CASE("http sink answers every batch with the error of a bad spec", "[http_sink_actor]") {
  http_sink spec;
  spec.url = "http://127.0.0.1:1/feed";
  spec.headers.emplace("Content-Length", secret{"5"});
  sink_env env{spec, 1};
  auto err = env.deliver(make_batch("0", 0));
  REQUIRE(err);
  CHECK(render(err) == "invalid_argument: http sink header 'Content-Length' is set by bulkd and "
                       "cannot be configured");
}

TEST_CASE("http sink abandons the batch in hand when it or the pool stops", "[http_sink_actor]") {
  bulkd::test::gate gate;
  std::atomic<int> requests{0};
  test_server server;
  server->Post("/feed", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.status = 429;
    res.set_header("Retry-After", "30");
    gate.wait(10s);
  });
  server.start();
  sink_env env{spec_for(server, {5, 1ms, 2ms})};
  env.self->monitor(env.sink);
  auto handle = env.self->request(env.sink, 2s, sink_deliver_atom::value, make_batch("0", 0));
  auto until = clock_type::now() + 10s;
  while (requests == 0 && clock_type::now() < until)
    std::this_thread::sleep_for(5ms);
  REQUIRE(requests == 1);
  auto start = clock_type::now();
  caf::error reason;
  SECTION("the pool shuts down while the POST is in flight") {
    env.self->send_exit(env.pool, caf::exit_reason::user_shutdown);
    env.self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                      caf::after(10s) >> [] { FAIL("the sink did not stop"); });
    CHECK(render(reason).rfind("shutting_down: ", 0) == 0);
  }
  SECTION("the sink gets an exit message while it waits for Retry-After") {
    gate.release(); // the 429 with Retry-After: 30 goes out
    std::this_thread::sleep_for(200ms);
    env.self->send_exit(env.sink, caf::exit_reason::user_shutdown);
    env.self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                      caf::after(10s) >> [] { FAIL("the sink did not stop"); });
    CHECK(reason == caf::exit_reason::user_shutdown);
  }
  CHECK(clock_type::now() - start < 5s);
  // Not acknowledged: the batch is read again after a restart.
  bool acked = false;
  handle.receive([&](caf::ok_atom) { acked = true; }, [](caf::error&) {});
  CHECK_FALSE(acked);
  CHECK(requests == 1);
  gate.release();
}
