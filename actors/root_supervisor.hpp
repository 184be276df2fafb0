#pragma once

// The root supervisor: one per process. It owns the top-level children (http_pool, token_cache,
// scheduler, admin, job supervisors) in the order they were added, restarts them like any
// supervisor (see supervisor.hpp), and performs the ordered shutdown.
//
// Protocol (dynamically typed actor):
//   (caf::add_atom, child_spec) -> caf::actor   start a child; the start order is the add order
//   (caf::ping_atom)            -> caf::pong_atom  heartbeat, answered even while stopping
//   (status_atom)               -> std::vector<child_status>  children in start order
//   (caf::get_atom, std::string name) -> caf::actor  the child's current handle (it changes with
//                                  every restart); ec::not_found if unknown or awaiting a restart
//   exit_msg with any reason but kill (e.g. anon_send_exit(root, exit_reason::user_shutdown)):
//     stop the children in REVERSE start order, one at a time: send_exit(child, reason), wait for
//     its DOWN (a draining child may take a while), kill it after stop_timeout, then the next.
//     The root quits with the same reason once the last child is down. Adding a child while
//     stopping fails with ec::shutting_down.
// If a child fails more often than the intensity limit allows, the root stops the others the
// same way and quits with ec::too_many_restarts.

#include "actors/supervisor.hpp"

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include <chrono>

namespace bulkd {

using status_atom = caf::atom_constant<caf::atom("status")>;

struct root_supervisor_options {
  supervisor_options supervision = [] {
    supervisor_options opts;
    opts.sequential_stop = true;
    return opts;
  }();
};

/// Spawns the root supervisor (not hidden: actor_system::await_all_actors_done waits for it).
caf::actor spawn_root_supervisor(caf::actor_system& sys, root_supervisor_options options = {});

/// Starts a child and waits for its handle. Blocking: call it from main, never from an actor,
/// and only with a real scheduler.
caf::expected<caf::actor> add_child(caf::actor_system& sys, const caf::actor& root, child_spec spec,
                                    caf::timespan timeout = std::chrono::seconds{10});

/// Blocks until `root` has terminated and returns its exit reason (user_shutdown after a signal,
/// ec::too_many_restarts when it gave up). Uses a hidden scoped actor.
caf::error await_exit(caf::actor_system& sys, const caf::actor& root);

} // namespace bulkd
