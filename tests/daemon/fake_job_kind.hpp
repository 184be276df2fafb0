#pragma once

// A job kind for job_runner tests: each run is an actor that ends when the test finishes it
// (finish(job)), fails it (fail(job)) or when it gets an exit message (cancel); it answers a
// progress request with {"n": <messages so far>}.

#include "daemon/job_kinds.hpp"
#include "jobs/daemon_config.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdlib.h>
#include <string>
#include <thread>

namespace bulkd::test {

/// A temporary state_dir (job locks go to <state_dir>/locks/).
struct temp_state {
  std::filesystem::path path;
  temp_state() {
    char tmpl[] = "/tmp/bulkd-runner-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_state() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  daemon_config config() const {
    daemon_config c;
    c.state_dir = path.string();
    return c;
  }
};

using fake_fail_atom = caf::atom_constant<caf::atom("fk_fail")>;

struct fake_job_kind {
  std::mutex mtx;
  std::condition_variable cv;
  std::map<std::string, caf::actor> live; // job name -> the actor of its run going on
  int executions = 0;

  kind_runner runner(bool continuous = false) {
    kind_runner k;
    k.continuous = continuous;
    k.execute = [this](const run_env& env, const job_spec& job, const run_started_fn& on_started) {
      auto actor = env.sys.spawn([](caf::event_based_actor* self) -> caf::behavior {
        return {
            [self](caf::ok_atom) { self->quit(); },
            [self](fake_fail_atom) { self->quit(caf::exit_reason::unhandled_exception); },
            [](caf::get_atom) { return std::string{R"({"n":7})"}; },
        };
      });
      on_started(actor);
      {
        std::lock_guard guard{mtx};
        live[job.name] = actor;
        ++executions;
      }
      cv.notify_all();
      caf::scoped_actor self{env.sys, true};
      self->monitor(actor);
      caf::error reason;
      self->receive([&](caf::down_msg& d) { reason = d.reason; });
      {
        std::lock_guard guard{mtx};
        live.erase(job.name);
      }
      run_result r;
      r.counts = R"({"done":1})";
      r.ok = !reason;
      if (reason == caf::exit_reason::user_shutdown)
        r.error = "interrupted";
      else if (reason)
        r.error = "the fake job failed";
      return r;
    };
    k.progress = [](caf::actor_system& sys, const caf::actor& a,
                    std::chrono::milliseconds timeout) -> std::optional<std::string> {
      std::optional<std::string> out;
      caf::scoped_actor self{sys, true};
      self->request(a, timeout, caf::get_atom::value)
          .receive([&](std::string& s) { out = std::move(s); }, [](caf::error&) {});
      return out;
    };
    return k;
  }

  /// Waits until `job` has a run actor (true) or 10 s passed.
  bool wait_live(const std::string& job) {
    std::unique_lock guard{mtx};
    return cv.wait_for(guard, std::chrono::seconds{10}, [&] { return live.count(job) > 0; });
  }

  bool is_live(const std::string& job) {
    std::lock_guard guard{mtx};
    return live.count(job) > 0;
  }

  void finish(const std::string& job) { send(job, true); }
  void fail(const std::string& job) { send(job, false); }

private:
  void send(const std::string& job, bool ok) {
    caf::actor a;
    {
      std::lock_guard guard{mtx};
      a = live.at(job);
    }
    if (ok)
      caf::anon_send(a, caf::ok_atom::value);
    else
      caf::anon_send(a, fake_fail_atom::value);
  }
};

} // namespace bulkd::test
