#include "actors/actor_system_setup.hpp"
#include "actors/root_supervisor.hpp"
#include "daemon/signal_thread.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace std::chrono_literals;

namespace {

// Blocks the shutdown signals in this (the test's) thread for the scope, so that a signal sent
// to the process stays pending until the signal thread takes it.
struct blocked_signals {
  sigset_t previous;
  blocked_signals() {
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_BLOCK, &none, &previous);
    bulkd::block_shutdown_signals();
  }
  ~blocked_signals() { pthread_sigmask(SIG_SETMASK, &previous, nullptr); }
};

// What the callbacks saw.
struct recorder {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<int> shutdowns;
  int reloads = 0;
  std::vector<int> exits;

  bulkd::signal_thread_options options() {
    bulkd::signal_thread_options opts;
    opts.on_shutdown = [this](int signo) { update([&] { shutdowns.push_back(signo); }); };
    opts.on_reload = [this] { update([&] { ++reloads; }); };
    opts.force_exit = [this](int code) { update([&] { exits.push_back(code); }); };
    opts.forced_exit_code = 7;
    opts.poll_interval = 20ms;
    return opts;
  }

  template <class F>
  void update(F f) {
    std::lock_guard<std::mutex> guard{mtx};
    f();
    cv.notify_all();
  }

  // Waits (at most 10 s, a bound for a broken build, not a speed requirement) for `pred`.
  template <class Pred>
  bool wait_for(Pred pred) {
    std::unique_lock<std::mutex> guard{mtx};
    return cv.wait_for(guard, 10s, pred);
  }
};

} // namespace

TEST_CASE("SIGHUP reloads, SIGTERM shuts down, a second signal forces the exit",
          "[signal_thread]") {
  blocked_signals blocked;
  recorder rec;
  bulkd::signal_thread signals{rec.options()};
  CHECK_FALSE(signals.shutdown_requested());

  REQUIRE(kill(getpid(), SIGHUP) == 0);
  REQUIRE(rec.wait_for([&] { return rec.reloads == 1; }));
  CHECK(rec.shutdowns.empty());

  REQUIRE(kill(getpid(), SIGTERM) == 0);
  REQUIRE(rec.wait_for([&] { return rec.shutdowns.size() == 1; }));
  CHECK(rec.shutdowns[0] == SIGTERM);
  CHECK(signals.shutdown_requested());
  CHECK(rec.exits.empty());

  // A reload request during shutdown is consumed and ignored.
  REQUIRE(kill(getpid(), SIGHUP) == 0);
  REQUIRE(kill(getpid(), SIGINT) == 0);
  REQUIRE(rec.wait_for([&] { return rec.exits.size() == 1; }));
  CHECK(rec.exits[0] == 7);
  CHECK(rec.reloads == 1);
  CHECK(rec.shutdowns.size() == 1);

  // Still looping: a third signal neither re-runs shutdown nor exits twice, nor stays pending.
  REQUIRE(kill(getpid(), SIGTERM) == 0);
  std::this_thread::sleep_for(200ms);
  signals.stop();
  CHECK(rec.exits.size() == 1);
  CHECK(rec.shutdowns.size() == 1);
  sigset_t pending;
  sigpending(&pending);
  CHECK_FALSE(sigismember(&pending, SIGTERM));
}

TEST_CASE("the stop deadline forces the exit without a second signal", "[signal_thread]") {
  blocked_signals blocked;
  recorder rec;
  auto opts = rec.options();
  opts.stop_deadline = 300ms;
  bulkd::signal_thread signals{opts};
  auto sent = std::chrono::steady_clock::now();
  REQUIRE(kill(getpid(), SIGINT) == 0);
  REQUIRE(rec.wait_for([&] { return rec.exits.size() == 1; }));
  auto waited = std::chrono::steady_clock::now() - sent;
  CHECK(waited >= 300ms); // never before the deadline
  CHECK(rec.exits[0] == 7);
  REQUIRE(rec.shutdowns.size() == 1);
  CHECK(rec.shutdowns[0] == SIGINT);
}

TEST_CASE("stop() ends a signal thread that saw no signal", "[signal_thread]") {
  blocked_signals blocked;
  recorder rec;
  bulkd::signal_thread signals{rec.options()};
  signals.stop();
  signals.stop(); // idempotent
  CHECK(rec.shutdowns.empty());
  CHECK(rec.exits.empty());
  CHECK_FALSE(signals.shutdown_requested());
}

TEST_CASE("the serve sequence: SIGTERM stops the root's children in reverse order",
          "[signal_thread]") {
  blocked_signals blocked; // 1. before the actor system: its threads inherit the mask
  caf::actor_system_config cfg;
  bulkd::configure_actor_system(cfg);
  caf::actor_system sys{cfg};                    // 2.
  auto root = bulkd::spawn_root_supervisor(sys); // 3.
  std::mutex mtx;
  std::vector<std::string> stopped;
  for (std::string name : {"http_pool", "token_cache", "scheduler"}) { // 4. in start order
    auto added = bulkd::add_child(
        sys, root, {name, [&mtx, &stopped, name](caf::event_based_actor* sup) {
                      return sup->spawn([&mtx, &stopped, name](caf::event_based_actor* me) {
                        me->set_exit_handler([&mtx, &stopped, name, me](caf::exit_msg& em) {
                          std::lock_guard<std::mutex> guard{mtx};
                          stopped.push_back(name);
                          me->quit(em.reason);
                        });
                        return caf::behavior{[](caf::ping_atom) { return caf::pong_atom::value; }};
                      });
                    }});
    REQUIRE(added);
  }
  recorder rec;
  auto opts = rec.options();
  opts.on_shutdown = [&](int signo) {
    rec.update([&] { rec.shutdowns.push_back(signo); });
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  };
  bulkd::signal_thread signals{opts}; // 5.
  REQUIRE(kill(getpid(), SIGTERM) == 0);
  auto reason = bulkd::await_exit(sys, root); // 6.
  signals.stop();                             // 7.
  CHECK(reason == caf::exit_reason::user_shutdown);
  CHECK(stopped == std::vector<std::string>{"scheduler", "token_cache", "http_pool"});
  CHECK(rec.shutdowns == std::vector<int>{SIGTERM});
  CHECK(rec.exits.empty());
}
