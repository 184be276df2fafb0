#pragma once

// Supervision helper for actors that own children (CAF 0.17 has no supervisors).
//
// Design: `supervisor` is a plain object that a stateful actor embeds in its state and wires in
// three places; it never installs handlers itself, so the owner keeps control of its behavior:
//
//   struct job_supervisor_state {
//     explicit job_supervisor_state(caf::event_based_actor* self) : children(self) {}
//     bulkd::supervisor children;
//   };
//   caf::behavior job_supervisor(caf::stateful_actor<job_supervisor_state>* self) {
//     bulkd::install_exception_handler(self);
//     auto& sup = self->state.children;
//     sup.configure(options);
//     self->set_down_handler([=](caf::down_msg& dm) { self->state.children.handle_down(dm); });
//     self->set_exit_handler([=](caf::exit_msg& em) {
//       self->state.children.shutdown(em.reason, em.reason); });
//     sup.start({"range-0", [](caf::event_based_actor* s) { return s->spawn(range_worker, 0); }});
//     return sup.handlers().or_else(/* the actor's own handlers */);
//   }
//
// Semantics:
// - Children are spawned by their factory from the supervising actor, monitored (not linked), and
//   kept by strong handle (dropping the last handle would kill them as `unreachable`).
// - Transient restarts: a child that exits normally (reason none) is removed, never restarted.
//   One that fails is restarted after backoff_delay(options.backoff, n) where n + 1 is the number
//   of its failures in the restart window (100 ms, 200 ms, ... capped at 30 s, full jitter).
// - Intensity limit, per child: more than intensity.max_restarts failures within intensity.window
//   and the supervisor gives up: it stops the other children and finishes with
//   ec::too_many_restarts "child NAME failed 11 times in 60 s; last error: <rendered reason>".
//   The window runs on the child's run time: time spent waiting for a restart does not count.
//   Otherwise, with the default backoff (25.6 s before the 10th restart, then 30 s), a child that
//   fails on every start could never fail 11 times within 60 s and would be retried forever.
// - Stopping (shutdown() or giving up): children get send_exit(child_reason), in reverse start
//   order; with sequential_stop one after the other (each DOWN awaited before the next), else all
//   at once. A child still alive stop_timeout after its exit message is killed
//   (exit_reason::kill). When the last child is DOWN the owner finishes: on_stopped(reason), by
//   default self->quit(reason). DOWNs during stopping are never restarted.

#include "actors/backoff.hpp"
#include "actors/restart_policy.hpp"

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/message_handler.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bulkd {

/// Spawns one incarnation of a child from the supervising actor (e.g. `self->spawn(worker, id)`;
/// a typed child through caf::actor_cast<caf::actor>); called again for every restart. Throwing
/// or returning an invalid handle counts as a failure. Do not spawn it linked: the supervisor
/// tracks it with a monitor.
using child_factory = std::function<caf::actor(caf::event_based_actor* self)>;

struct child_spec {
  std::string name;
  child_factory factory;
};

struct supervisor_options {
  backoff_policy backoff{};
  restart_intensity intensity{};
  jitter_source jitter{}; // empty: random_jitter()
  caf::timespan stop_timeout = std::chrono::seconds{10};
  bool sequential_stop = false;
};

/// One line of a supervisor's status report.
struct child_status {
  std::string name;
  std::string state; // "running", "restarting" or "stopping"
  uint32_t restarts = 0;
  std::string last_error; // rendered; empty if the child never failed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_status& x) {
  return f(caf::meta::type_name("child_status"), x.name, x.state, x.restarts, x.last_error);
}

/// What handle_down() did with a DOWN message.
enum class down_outcome {
  not_a_child, // the source is none of ours: the owner handles it
  exited,      // normal exit: removed
  restarting,  // failed: restart scheduled
  gave_up,     // failed too often: stopping everything
  stopped,     // went down while stopping
};

class supervisor {
public:
  explicit supervisor(caf::event_based_actor* self);

  supervisor(const supervisor&) = delete;
  supervisor& operator=(const supervisor&) = delete;

  /// Set before starting children.
  void configure(supervisor_options options);

  const supervisor_options& options() const { return options_; }

  /// What happens once stopping is complete; the default quits the actor with the reason.
  void on_stopped(std::function<void(const caf::error&)> fn);

  /// Spawns and monitors a child. Fails with ec::shutting_down while stopping, and with
  /// ec::worker_failed if the factory throws or returns no actor (nothing is kept then).
  caf::expected<caf::actor> start(child_spec spec);

  /// Call with every DOWN message the owner receives.
  down_outcome handle_down(const caf::down_msg& msg);

  /// The restart and stop timers; the owner's behavior must include these.
  caf::message_handler handlers();

  /// Stops every child as described above, then calls on_stopped(quit_reason). Calls after the
  /// first are ignored.
  void shutdown(caf::error child_reason, caf::error quit_reason);

  bool stopping() const { return stopping_; }

  /// No children at all, neither running nor waiting for a restart.
  bool empty() const { return children_.empty(); }

  size_t size() const { return children_.size(); }

  /// Children in start order.
  std::vector<child_status> status() const;

  /// The current handle of the first child with this name; invalid while it awaits a restart.
  caf::actor find(const std::string& name) const;

private:
  enum class phase { running, restarting, stopping };

  struct child {
    uint64_t id;
    child_spec spec;
    caf::actor handle;
    phase state = phase::running;
    restart_window failures;
    caf::error last_error;
    uint32_t restarts = 0;
    caf::timespan waited{0}; // total time spent waiting for restarts
    std::chrono::steady_clock::time_point down_at{};
  };

  using child_iter = std::vector<child>::iterator;

  child_iter by_id(uint64_t id);
  caf::actor spawn(child& c, caf::error& err);
  down_outcome fail(child_iter c, caf::error reason);
  void restart(uint64_t id);
  void give_up(child_iter c);
  void stop_next();
  void stop_timeout(uint64_t id);
  void finish_if_done();

  caf::event_based_actor* self_;
  supervisor_options options_;
  std::function<void(const caf::error&)> on_stopped_;
  std::vector<child> children_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  bool finished_ = false;
  caf::error child_reason_;
  caf::error quit_reason_;
};

} // namespace bulkd

// child_spec holds a std::function; it only ever travels between local actors.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::child_spec)
