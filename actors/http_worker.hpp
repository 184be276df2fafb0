#pragma once

// One detached thread of http_pool: performs requests through its own http_transport.

#include "actors/http_pool.hpp"
#include "actors/http_transport.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace bulkd {

/// (http_ready_atom, delay) -> http_ready_atom: answers after `delay` (restart backoff, spent in
/// the worker's own thread).
using http_ready_atom = caf::atom_constant<caf::atom("http_ready")>;

using http_worker_actor = caf::typed_actor<
    caf::replies_to<http_atom, http_request>::with<http_response>,
    caf::replies_to<http_ready_atom, std::chrono::milliseconds>::with<http_ready_atom>>;

/// Must be spawned `detached`: its handlers block.
http_worker_actor::behavior_type http_worker(http_worker_actor::pointer self,
                                             std::shared_ptr<http_transport> transport,
                                             std::function<void(const http_request&)> before_send);

} // namespace bulkd
