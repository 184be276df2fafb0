#pragma once

// http_pool: every HTTP call of bulkd goes through this actor. It owns N detached http_worker
// actors (blocking cpp-httplib calls never run on the cooperative scheduler), hands a request
// only to an idle worker, keeps a bounded FIFO of waiting requests and answers ec::overloaded
// when that is full.
//
//   self->request(pool, caf::infinite, http_atom::value, std::move(req))
//     .then([](http_response& res) { /* any status, caller classifies */ },
//           [](caf::error& err) { /* connection_failed, timeout, tls_error, overloaded, ... */ });

#include "clients/http_request.hpp"
#include "clients/http_response.hpp"

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace bulkd {

/// (http_atom, http_request) -> http_response
using http_atom = caf::atom_constant<caf::atom("http")>;
/// (http_stats_atom) -> http_pool_stats
using http_stats_atom = caf::atom_constant<caf::atom("http_stats")>;

struct http_pool_stats {
  uint64_t requests = 0;  // received, including refused ones
  uint64_t completed = 0; // answered with a response (any status)
  uint64_t errors = 0;    // answered with an error (transport, timeout, TLS, dead worker, shutdown)
  uint64_t overloaded = 0;  // refused because every worker was busy and the queue was full
  uint64_t restarts = 0;    // workers restarted after they died
  uint64_t connections = 0; // TCP connections opened by all workers
  uint64_t workers = 0;
  uint64_t in_flight = 0;
  uint64_t queued = 0;
  uint64_t max_in_flight = 0; // highest concurrency reached
  uint64_t max_queued = 0;

  friend bool operator==(const http_pool_stats&, const http_pool_stats&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_pool_stats& x) {
  return f(caf::meta::type_name("http_pool_stats"), x.requests, x.completed, x.errors, x.overloaded,
           x.restarts, x.connections, x.workers, x.in_flight, x.queued, x.max_in_flight,
           x.max_queued);
}

struct http_pool_config {
  size_t workers = 64;          // detached threads, each with its own connections (min 1)
  size_t queue_capacity = 1024; // requests waiting for a worker; 0 = refuse when all are busy
  std::chrono::milliseconds connect_timeout = std::chrono::seconds{10};
  size_t connections_per_worker = 16; // kept-alive origins per worker
  /// For tests: runs in the worker's thread before each request; an exception kills the worker.
  std::function<void(const http_request&)> before_send;
};

using http_pool_actor =
    caf::typed_actor<caf::replies_to<http_atom, http_request>::with<http_response>,
                     caf::replies_to<http_stats_atom>::with<http_pool_stats>>;

/// Spawns the pool. On an exit message (e.g. user_shutdown) it fails queued and in-flight requests
/// with ec::shutting_down, cancels the workers' calls, stops them and quits with that reason.
http_pool_actor spawn_http_pool(caf::actor_system& sys, http_pool_config config = {});

/// The same, spawned by `parent` (e.g. from a supervisor's child_factory:
/// `caf::actor_cast<caf::actor>(spawn_http_pool(self, config))`).
http_pool_actor spawn_http_pool(caf::local_actor* parent, http_pool_config config = {});

} // namespace bulkd
