#include "actors/actor_system_setup.hpp"
#include "actors/root_supervisor.hpp"
#include "clients/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using bulkd::child_spec;

namespace {

using done_atom = caf::atom_constant<caf::atom("t_done")>;

caf::actor_system_config& root_testing_config(caf::actor_system_config& cfg) {
  bulkd::configure_test_actor_system(cfg);
  return cfg;
}

struct root_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{root_testing_config(cfg)};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::vector<caf::actor> watchers;
  std::shared_ptr<std::vector<std::string>> events = std::make_shared<std::vector<std::string>>();

  ~root_fixture() {
    sched.run();
    for (int i = 0; i < 1000 && sched.has_pending_timeout(); ++i) {
      sched.trigger_timeouts();
      sched.run();
    }
  }

  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }

  std::shared_ptr<std::optional<caf::error>> watch(const caf::actor& who) {
    auto result = std::make_shared<std::optional<caf::error>>();
    watchers.push_back(sys.spawn([who, result](caf::event_based_actor* me) -> caf::behavior {
      me->monitor(who);
      me->set_down_handler([me, result](caf::down_msg& dm) {
        *result = dm.reason;
        me->quit();
      });
      return {[](caf::ping_atom) {}};
    }));
    sched.run();
    return result;
  }

  caf::actor spawn_root(caf::timespan stop_timeout = 10s) {
    bulkd::root_supervisor_options opts;
    opts.supervision.stop_timeout = stop_timeout;
    opts.supervision.jitter = bulkd::max_jitter();
    auto root = bulkd::spawn_root_supervisor(sys, opts);
    sched.run();
    return root;
  }

  caf::expected<caf::actor> add(const caf::actor& root, child_spec spec) {
    caf::expected<caf::actor> result{caf::actor{}};
    auto rh = self->request(root, caf::infinite, caf::add_atom::value, std::move(spec));
    sched.run();
    rh.receive([&](caf::actor& child) { result = std::move(child); },
               [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  // Stops at once when asked to.
  child_spec quick(std::string name) {
    auto log = events;
    return {name, [log, name](caf::event_based_actor* sup) {
              return sup->spawn([log, name](caf::event_based_actor* me) -> caf::behavior {
                me->set_exit_handler([me, log, name](caf::exit_msg& em) {
                  log->push_back(name + " exit");
                  me->quit(em.reason);
                });
                return {[](caf::ping_atom) { return caf::pong_atom::value; }};
              });
            }};
  }

  // Drains for `drain` after the exit message, then quits.
  child_spec draining(std::string name, caf::timespan drain) {
    auto log = events;
    return {name, [log, name, drain](caf::event_based_actor* sup) {
              return sup->spawn([log, name, drain](caf::event_based_actor* me) -> caf::behavior {
                me->set_exit_handler([me, log, name, drain](caf::exit_msg& em) {
                  log->push_back(name + " exit");
                  me->become([me, log, name, reason = em.reason](done_atom) {
                    log->push_back(name + " done");
                    me->quit(reason);
                  });
                  me->delayed_send(me, drain, done_atom::value);
                });
                return {[](caf::ping_atom) { return caf::pong_atom::value; }};
              });
            }};
  }

  // Ignores exit messages (a child stuck in its work).
  child_spec stubborn(std::string name) {
    auto log = events;
    return {name, [log, name](caf::event_based_actor* sup) {
              return sup->spawn([log, name](caf::event_based_actor* me) -> caf::behavior {
                me->set_exit_handler(
                    [log, name](caf::exit_msg&) { log->push_back(name + " ignores exit"); });
                return {[](caf::ping_atom) { return caf::pong_atom::value; }};
              });
            }};
  }
};

using strings = std::vector<std::string>;

} // namespace

TEST_CASE("root stops children in reverse start order, one at a time", "[root_supervisor]") {
  root_fixture fx;
  auto root = fx.spawn_root();
  auto root_down = fx.watch(root);
  REQUIRE(fx.add(root, fx.quick("http_pool")));
  REQUIRE(fx.add(root, fx.draining("scheduler", 300ms)));
  REQUIRE(fx.add(root, fx.quick("admin")));
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  fx.sched.run();
  // admin is down; scheduler drains; http_pool has not been asked yet.
  CHECK(*fx.events == strings{"admin exit", "scheduler exit"});
  CHECK_FALSE(*root_down);
  fx.advance(299ms);
  CHECK(*fx.events == strings{"admin exit", "scheduler exit"});
  CHECK_FALSE(*root_down);
  fx.advance(1ms);
  CHECK(*fx.events == strings{"admin exit", "scheduler exit", "scheduler done", "http_pool exit"});
  REQUIRE(*root_down);
  CHECK(**root_down == caf::exit_reason::user_shutdown);
}

TEST_CASE("root kills a child that does not stop within its stop timeout", "[root_supervisor]") {
  root_fixture fx;
  auto root = fx.spawn_root(5s);
  auto root_down = fx.watch(root);
  REQUIRE(fx.add(root, fx.quick("token_cache")));
  auto stuck = fx.add(root, fx.stubborn("job"));
  REQUIRE(stuck);
  auto stuck_down = fx.watch(*stuck);
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  fx.sched.run();
  CHECK(*fx.events == strings{"job ignores exit"});
  fx.advance(4999ms);
  CHECK_FALSE(*stuck_down);
  CHECK_FALSE(*root_down);
  fx.advance(1ms);
  REQUIRE(*stuck_down);
  CHECK(**stuck_down == caf::exit_reason::kill);
  CHECK(*fx.events == strings{"job ignores exit", "token_cache exit"});
  REQUIRE(*root_down);
  CHECK(**root_down == caf::exit_reason::user_shutdown);
}

TEST_CASE("root answers ping and lists its children in start order", "[root_supervisor]") {
  root_fixture fx;
  auto root = fx.spawn_root();
  REQUIRE(fx.add(root, fx.quick("http_pool")));
  REQUIRE(fx.add(root, fx.quick("token_cache")));
  auto ping = fx.self->request(root, caf::infinite, caf::ping_atom::value);
  fx.sched.run();
  bool ponged = false;
  ping.receive([&](caf::pong_atom) { ponged = true; },
               [](caf::error& err) { FAIL(bulkd::render(err)); });
  CHECK(ponged);
  auto status = fx.self->request(root, caf::infinite, bulkd::status_atom::value);
  fx.sched.run();
  std::vector<bulkd::child_status> children;
  status.receive([&](std::vector<bulkd::child_status>& xs) { children = std::move(xs); },
                 [](caf::error& err) { FAIL(bulkd::render(err)); });
  REQUIRE(children.size() == 2);
  CHECK(children[0].name == "http_pool");
  CHECK(children[0].state == "running");
  CHECK(children[1].name == "token_cache");
  CHECK(children[1].restarts == 0);
  fx.self->send_exit(root, caf::exit_reason::user_shutdown);
}

TEST_CASE("root refuses new children while stopping, and still answers ping", "[root_supervisor]") {
  root_fixture fx;
  auto root = fx.spawn_root();
  REQUIRE(fx.add(root, fx.draining("scheduler", 1s)));
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  fx.sched.run();
  auto late = fx.add(root, fx.quick("job"));
  REQUIRE_FALSE(late);
  CHECK(bulkd::render(late.error()) == "shutting_down: cannot start child job while stopping");
  auto ping = fx.self->request(root, caf::infinite, caf::ping_atom::value);
  fx.sched.run();
  bool ponged = false;
  ping.receive([&](caf::pong_atom) { ponged = true; }, [](caf::error&) {});
  CHECK(ponged);
  fx.advance(1s);
}

TEST_CASE("root restarts a failed top-level child and gives up past the limit",
          "[root_supervisor]") {
  root_fixture fx;
  bulkd::root_supervisor_options opts;
  opts.supervision.jitter = bulkd::zero_jitter();
  opts.supervision.intensity = {1, 60s};
  auto root = bulkd::spawn_root_supervisor(fx.sys, opts);
  auto root_down = fx.watch(root);
  REQUIRE(fx.add(root, fx.quick("http_pool")));
  auto crashes = std::make_shared<int>(0);
  REQUIRE(fx.add(root, {"token_cache", [crashes](caf::event_based_actor* sup) {
                          return sup->spawn([crashes](caf::event_based_actor* me) -> caf::behavior {
                            ++*crashes;
                            me->quit(bulkd::make_error(bulkd::ec::unauthorized, "bad secret"));
                            return {};
                          });
                        }}));
  CHECK(*crashes == 1);
  fx.advance(0ms); // restart (zero jitter); it fails again: 2 failures > 1 allowed
  CHECK(*crashes == 2);
  CHECK(*fx.events == strings{"http_pool exit"});
  REQUIRE(*root_down);
  CHECK(bulkd::render(**root_down) == "too_many_restarts: child token_cache failed 2 times in 60 "
                                      "s; last error: unauthorized: bad secret");
}

TEST_CASE("add_child and await_exit on the real scheduler", "[root_supervisor]") {
  caf::actor_system_config cfg;
  bulkd::configure_actor_system(cfg);
  caf::actor_system sys{cfg};
  auto root = bulkd::spawn_root_supervisor(sys);
  auto events = std::make_shared<std::vector<std::string>>();
  auto child = [events](std::string name) -> child_spec {
    return {name, [events, name](caf::event_based_actor* sup) {
              return sup->spawn([events, name](caf::event_based_actor* me) -> caf::behavior {
                me->set_exit_handler([me, events, name](caf::exit_msg& em) {
                  events->push_back(name); // one child at a time runs this: sequential stop
                  me->quit(em.reason);
                });
                return {[](caf::ping_atom) { return caf::pong_atom::value; }};
              });
            }};
  };
  for (auto name : {"a", "b", "c"}) {
    auto added = bulkd::add_child(sys, root, child(name));
    REQUIRE(added);
    CHECK(*added != nullptr);
  }
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  auto reason = bulkd::await_exit(sys, root);
  CHECK(reason == caf::exit_reason::user_shutdown);
  CHECK(*events == strings{"c", "b", "a"});
  CHECK(sys.render(bulkd::make_error(bulkd::ec::worker_failed, "boom")) == "worker_failed: boom");
}

TEST_CASE("root looks up a child's current handle by name", "[root_supervisor]") {
  root_fixture fx;
  auto root = fx.spawn_root();
  auto added = fx.add(root, fx.quick("token_cache"));
  REQUIRE(added);
  auto lookup = [&](std::string name) {
    caf::expected<caf::actor> result{caf::actor{}};
    auto rh = fx.self->request(root, caf::infinite, caf::get_atom::value, std::move(name));
    fx.sched.run();
    rh.receive([&](caf::actor& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
    return result;
  };
  auto found = lookup("token_cache");
  REQUIRE(found);
  CHECK(*found == *added);
  auto missing = lookup("tokencache");
  REQUIRE_FALSE(missing);
  CHECK(bulkd::render(missing.error()) == "not_found: no running child named tokencache");
  fx.self->send_exit(root, caf::exit_reason::user_shutdown);
}
