#include "actors/actor_system_setup.hpp"
#include "actors/backoff.hpp"
#include "actors/exception_handler.hpp"
#include "actors/restart_policy.hpp"
#include "actors/supervisor.hpp"
#include "clients/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using bulkd::child_spec;
using bulkd::down_outcome;
using bulkd::supervisor_options;

namespace {

using fail_atom = caf::atom_constant<caf::atom("t_fail")>;

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  bulkd::configure_test_actor_system(cfg);
  return cfg;
}

// Deterministic actor system: the test_coordinator runs actors only in sched.run() and its clock
// moves only with sched.advance_time().
struct deterministic_system {
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::actor_clock::time_point t0 = sys.clock().now();

  std::vector<caf::actor> watchers; // an actor without a strong handle dies as unreachable

  // Let everything left finish: ~actor_system waits for every actor, and a pending timer keeps
  // its receiver alive.
  ~deterministic_system() {
    sched.run();
    for (int i = 0; i < 1000 && sched.has_pending_timeout(); ++i) {
      sched.trigger_timeouts();
      sched.run();
    }
  }

  caf::timespan elapsed() { return sys.clock().now() - t0; }

  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }

  // Watches `who` from a helper actor; the result holds its exit reason once it is down.
  std::shared_ptr<std::optional<caf::error>> watch(const caf::actor& who) {
    auto result = std::make_shared<std::optional<caf::error>>();
    watchers.push_back(sys.spawn([who, result](caf::event_based_actor* self) -> caf::behavior {
      self->monitor(who);
      self->set_down_handler([self, result](caf::down_msg& dm) {
        *result = dm.reason;
        self->quit();
      });
      return {[](caf::ping_atom) {}};
    }));
    sched.run();
    return result;
  }
};

// What the children did, shared with the test (the test coordinator runs on this thread).
struct probe {
  std::vector<caf::timespan> starts; // since t0, one per incarnation
  std::vector<std::string> events;
};

struct test_supervisor_state {
  explicit test_supervisor_state(caf::event_based_actor* self) : children(self) {}
  bulkd::supervisor children;
  std::vector<down_outcome> outcomes;
};

using test_supervisor_actor = caf::stateful_actor<test_supervisor_state>;

// The embedding pattern of supervisor.hpp, in its smallest form.
caf::behavior test_supervisor(test_supervisor_actor* self, supervisor_options options,
                              std::vector<child_spec> specs) {
  bulkd::install_exception_handler(self);
  self->state.children.configure(std::move(options));
  self->set_down_handler([self](caf::down_msg& dm) {
    self->state.outcomes.push_back(self->state.children.handle_down(dm));
  });
  for (auto& spec : specs)
    if (auto started = self->state.children.start(std::move(spec)); !started)
      throw std::runtime_error(bulkd::render(started.error()));
  return self->state.children.handlers().or_else(
      [](caf::ping_atom) { return caf::pong_atom::value; });
}

test_supervisor_state& state_of(const caf::actor& sup) {
  return dynamic_cast<test_supervisor_actor&>(*caf::actor_cast<caf::abstract_actor*>(sup)).state;
}

caf::timespan since(caf::event_based_actor* self, caf::actor_clock::time_point t0) {
  return self->clock().now() - t0;
}

// Throws on every start.
child_spec always_failing(std::string name, std::shared_ptr<probe> p,
                          caf::actor_clock::time_point t0) {
  return {std::move(name), [p, t0](caf::event_based_actor* sup) {
            return sup->spawn([p, t0](caf::event_based_actor* self) -> caf::behavior {
              bulkd::install_exception_handler(self);
              p->starts.push_back(since(self, t0));
              throw std::runtime_error("boom " + std::to_string(p->starts.size()));
            });
          }};
}

// Lives for `life`, then throws.
child_spec short_lived(std::string name, std::shared_ptr<probe> p, caf::actor_clock::time_point t0,
                       caf::timespan life) {
  return {std::move(name), [p, t0, life](caf::event_based_actor* sup) {
            return sup->spawn([p, t0, life](caf::event_based_actor* self) -> caf::behavior {
              bulkd::install_exception_handler(self);
              p->starts.push_back(since(self, t0));
              self->delayed_send(self, life, fail_atom::value);
              return {[](fail_atom) { throw std::runtime_error("tired"); }};
            });
          }};
}

// Runs until told to stop; records the exit message it gets.
child_spec steady(std::string name, std::shared_ptr<probe> p) {
  return {name, [p, name](caf::event_based_actor* sup) {
            return sup->spawn([p, name](caf::event_based_actor* self) -> caf::behavior {
              self->set_exit_handler([self, p, name](caf::exit_msg& em) {
                p->events.push_back(name + " stopped: " + bulkd::render(em.reason));
                self->quit(em.reason);
              });
              return {[](caf::ping_atom) { return caf::pong_atom::value; }};
            });
          }};
}

} // namespace

TEST_CASE("backoff ceilings double from 100 ms up to the 30 s cap", "[backoff]") {
  bulkd::backoff_policy policy;
  CHECK(bulkd::backoff_ceiling(policy, 0) == 100ms);
  CHECK(bulkd::backoff_ceiling(policy, 1) == 200ms);
  CHECK(bulkd::backoff_ceiling(policy, 3) == 800ms);
  CHECK(bulkd::backoff_ceiling(policy, 8) == 25600ms);
  CHECK(bulkd::backoff_ceiling(policy, 9) == 30s);
  CHECK(bulkd::backoff_ceiling(policy, 63) == 30s);
  CHECK(bulkd::backoff_ceiling(policy, 1000000) == 30s);
  CHECK(bulkd::backoff_ceiling({std::chrono::hours{1}, 30s}, 0) == 30s);
  CHECK(bulkd::backoff_ceiling({0ms, 30s}, 5) == 0ms);
}

TEST_CASE("full jitter stays within [0, min(cap, initial * 2^n)]", "[backoff]") {
  bulkd::backoff_policy policy;
  auto jitter = bulkd::random_jitter();
  for (uint64_t attempt = 0; attempt < 12; ++attempt) {
    auto ceiling = bulkd::backoff_ceiling(policy, attempt);
    caf::timespan lowest = ceiling;
    caf::timespan highest{0};
    for (int i = 0; i < 2000; ++i) {
      auto d = bulkd::backoff_delay(policy, attempt, jitter);
      REQUIRE(d >= 0ms);
      REQUIRE(d <= ceiling);
      lowest = std::min(lowest, d);
      highest = std::max(highest, d);
    }
    // Spread over the whole range, not clustered at one end (fails with odds below 2^-1000).
    CHECK(lowest < ceiling / 4);
    CHECK(highest > ceiling * 3 / 4);
  }
  CHECK(bulkd::backoff_delay(policy, 2, bulkd::max_jitter()) == 400ms);
  CHECK(bulkd::backoff_delay(policy, 2, bulkd::zero_jitter()) == 0ms);
  // A source that overshoots is clamped to the ceiling.
  CHECK(bulkd::backoff_delay(policy, 0, [](uint64_t max) { return max * 5; }) == 100ms);
}

TEST_CASE("the restart window forgets failures older than its length", "[supervisor]") {
  bulkd::restart_window window{{2, 10s}};
  std::chrono::steady_clock::time_point t{};
  CHECK(window.record(t));
  CHECK(window.record(t + 1s));
  CHECK_FALSE(window.record(t + 2s)); // third failure within 10 s
  bulkd::restart_window spread{{2, 10s}};
  CHECK(spread.record(t));
  CHECK(spread.record(t + 6s));
  CHECK(spread.record(t + 12s)); // the first left the window: 2 in (2 s, 12 s]
  CHECK(spread.record(t + 18s));
  CHECK(spread.failures() == 2);
}

TEST_CASE("a failing child is restarted at exactly the backoff delays, then given up",
          "[supervisor]") {
  deterministic_system fx;
  auto p = std::make_shared<probe>();
  supervisor_options opts;
  opts.jitter = bulkd::max_jitter();
  auto sup = fx.sys.spawn(test_supervisor, opts,
                          std::vector<child_spec>{always_failing("flaky", p, fx.t0)});
  auto down = fx.watch(sup);
  REQUIRE(p->starts == std::vector<caf::timespan>{0ms});
  // 100 ms * 2^n, capped at 30 s. Together 81.1 s: more than the 60 s window, yet the child
  // gives up, because waiting for a restart is not run time.
  std::vector<caf::timespan> delays{100ms,  200ms,  400ms,   800ms,   1600ms,
                                    3200ms, 6400ms, 12800ms, 25600ms, 30000ms};
  caf::timespan expected{0};
  for (auto delay : delays) {
    expected += delay;
    auto before = p->starts.size();
    fx.advance(delay - 1ms);
    REQUIRE(p->starts.size() == before); // not a millisecond early
    CHECK(state_of(sup).children.find("flaky") == nullptr);
    fx.advance(1ms);
    REQUIRE(p->starts.size() == before + 1);
    CHECK(p->starts.back() == expected);
  }
  // The 11th failure (at once, on the 10th restart) exceeds 10 restarts in 60 s.
  auto reason = *down;
  REQUIRE(reason);
  CHECK(reason->category() == bulkd::error_category());
  CHECK(reason->code() == static_cast<uint8_t>(bulkd::ec::too_many_restarts));
  CHECK(
      bulkd::render(*reason) ==
      "too_many_restarts: child flaky failed 11 times in 60 s; last error: worker_failed: boom 11");
  fx.advance(60s);
  CHECK(p->starts.size() == 11);
}

TEST_CASE("giving up stops the other children and carries the last error", "[supervisor]") {
  deterministic_system fx;
  auto p = std::make_shared<probe>();
  supervisor_options opts;
  opts.jitter = bulkd::zero_jitter();
  opts.intensity = {3, 60s};
  auto sup =
      fx.sys.spawn(test_supervisor, opts,
                   std::vector<child_spec>{steady("first", p), always_failing("flaky", p, fx.t0),
                                           steady("last", p)});
  auto down = fx.watch(sup);
  for (int i = 0; i < 3; ++i)
    fx.advance(0ms); // zero jitter: each restart is due at once
  CHECK(p->starts.size() == 4);
  CHECK(p->events == std::vector<std::string>{"last stopped: exit_reason(user_shutdown)",
                                              "first stopped: exit_reason(user_shutdown)"});
  auto reason = *down;
  REQUIRE(reason);
  CHECK(bulkd::render(*reason) ==
        "too_many_restarts: child flaky failed 4 times in 60 s; last error: worker_failed: boom 4");
}

TEST_CASE("failures spread out beyond the window do not give up", "[supervisor]") {
  deterministic_system fx;
  auto p = std::make_shared<probe>();
  supervisor_options opts;
  opts.jitter = bulkd::max_jitter();
  opts.intensity = {2, 10s};
  // Fails after 6 s of run time: at most 2 failures in any 10 s of run time.
  auto sup = fx.sys.spawn(test_supervisor, opts,
                          std::vector<child_spec>{short_lived("slow", p, fx.t0, 6s)});
  auto down = fx.watch(sup);
  for (int i = 0; i < 2000; ++i)
    fx.advance(100ms);
  CHECK(p->starts.size() >= 20);
  CHECK_FALSE(*down);
  auto status = state_of(sup).children.status();
  REQUIRE(status.size() == 1);
  CHECK(status[0].restarts == p->starts.size() - 1);
  CHECK(status[0].last_error == "worker_failed: tired");
  // Each failure saw 2 failures in its window, so each restart waited 100 ms * 2^1.
  for (size_t i = 1; i < p->starts.size(); ++i)
    CHECK(p->starts[i] - p->starts[i - 1] == (i == 1 ? 6100ms : 6200ms));
  fx.self->send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE("a child that exits normally is removed, not restarted", "[supervisor]") {
  deterministic_system fx;
  auto starts = std::make_shared<int>(0);
  child_spec once{"once", [starts](caf::event_based_actor* sup) {
                    return sup->spawn([starts](caf::event_based_actor* self) -> caf::behavior {
                      ++*starts;
                      self->quit();
                      return {};
                    });
                  }};
  auto sup = fx.sys.spawn(test_supervisor, supervisor_options{}, std::vector<child_spec>{once});
  fx.sched.run();
  fx.advance(60s);
  CHECK(*starts == 1);
  auto& st = state_of(sup);
  CHECK(st.children.empty());
  CHECK(st.outcomes == std::vector<down_outcome>{down_outcome::exited});
  fx.self->send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE("an exception's text survives in the DOWN reason", "[supervisor]") {
  deterministic_system fx;
  auto child = fx.sys.spawn([](caf::event_based_actor* self) -> caf::behavior {
    bulkd::install_exception_handler(self);
    return {[](caf::ping_atom) -> caf::pong_atom { throw std::runtime_error("boom"); }};
  });
  auto down = fx.watch(child);
  caf::anon_send(child, caf::ping_atom::value);
  fx.sched.run();
  auto reason = *down;
  REQUIRE(reason);
  CHECK(reason->code() == static_cast<uint8_t>(bulkd::ec::worker_failed));
  CHECK(bulkd::render(*reason) == "worker_failed: boom");
  CHECK(fx.sys.render(*reason) == "worker_failed: boom");
  CHECK(bulkd::render(bulkd::exception_to_error(std::make_exception_ptr(42))) ==
        "worker_failed: unknown exception");
}

TEST_CASE("a restarted child gets a new handle and its status shows the restart", "[supervisor]") {
  deterministic_system fx;
  auto p = std::make_shared<probe>();
  supervisor_options opts;
  opts.jitter = bulkd::max_jitter();
  auto sup = fx.sys.spawn(test_supervisor, opts,
                          std::vector<child_spec>{short_lived("worker", p, fx.t0, 1s)});
  fx.sched.run();
  auto first = state_of(sup).children.find("worker");
  REQUIRE(first != nullptr);
  fx.advance(1s);
  auto status = state_of(sup).children.status();
  REQUIRE(status.size() == 1);
  CHECK(status[0].state == "restarting");
  CHECK(status[0].last_error == "worker_failed: tired");
  fx.advance(100ms);
  auto second = state_of(sup).children.find("worker");
  CHECK(second != nullptr);
  CHECK(second != first);
  status = state_of(sup).children.status();
  CHECK(status[0].state == "running");
  CHECK(status[0].restarts == 1);
  CHECK(state_of(sup).outcomes == std::vector<down_outcome>{down_outcome::restarting});
  fx.self->send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE("a factory that throws or returns no actor is refused at start", "[supervisor]") {
  deterministic_system fx;
  auto sup = fx.sys.spawn(test_supervisor, supervisor_options{}, std::vector<child_spec>{});
  fx.sched.run();
  auto& children = state_of(sup).children;
  auto thrown = children.start({"bad", [](caf::event_based_actor*) -> caf::actor {
                                  throw std::runtime_error("no config");
                                }});
  REQUIRE_FALSE(thrown);
  CHECK(bulkd::render(thrown.error()) ==
        "worker_failed: the factory of child bad failed: no config");
  auto empty = children.start({"void", [](caf::event_based_actor*) { return caf::actor{}; }});
  REQUIRE_FALSE(empty);
  CHECK(bulkd::render(empty.error()) ==
        "worker_failed: the factory of child void returned no actor");
  CHECK(children.empty());
  fx.self->send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_CASE("a failed restart counts as a failure", "[supervisor]") {
  deterministic_system fx;
  auto p = std::make_shared<probe>();
  auto calls = std::make_shared<int>(0);
  auto inner = short_lived("picky", p, fx.t0, 1s);
  child_spec picky{"picky", [calls, inner](caf::event_based_actor* sup) {
                     if (++*calls == 2)
                       throw std::runtime_error("config vanished");
                     return inner.factory(sup);
                   }};
  supervisor_options opts;
  opts.jitter = bulkd::max_jitter();
  auto sup = fx.sys.spawn(test_supervisor, opts, std::vector<child_spec>{picky});
  fx.sched.run();
  fx.advance(1s);    // fails: restart in 100 ms
  fx.advance(100ms); // the factory throws: 2 failures, restart in 200 ms
  auto status = state_of(sup).children.status();
  REQUIRE(status.size() == 1);
  CHECK(status[0].state == "restarting");
  CHECK(status[0].last_error ==
        "worker_failed: the factory of child picky failed: config vanished");
  fx.advance(199ms);
  CHECK(p->starts.size() == 1);
  fx.advance(1ms);
  CHECK(p->starts.size() == 2);
  fx.self->send_exit(sup, caf::exit_reason::user_shutdown);
}
