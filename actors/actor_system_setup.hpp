#pragma once

// The actor_system_config bulkd runs with.

#include <caf/fwd.hpp>

namespace bulkd {

/// scheduler.policy=sharing (near-zero idle CPU for a mostly idle daemon) and a renderer for the
/// bulkd error category, so that actor_system::render prints "worker_failed: boom".
void configure_actor_system(caf::actor_system_config& cfg);

/// configure_actor_system plus scheduler.policy=testing: CAF's deterministic test_coordinator
/// with virtual time (tests).
void configure_test_actor_system(caf::actor_system_config& cfg);

} // namespace bulkd
