#pragma once

// Leases remember where their ranges started (StartFrom); a spec whose start_from says
// otherwise has no effect while they exist. `bulkd validate` warns about it.

#include "jobs/change_feed/lease.hpp"
#include "jobs/change_feed_spec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

/// Whether a lease's StartFrom contradicts the spec's start_from: beginning vs anything else; a
/// time vs beginning, now or another time; now vs beginning (a recorded time agrees with now:
/// `reset --to now` and the first start record a "now" as the time it was). A lease without
/// StartFrom agrees with everything.
bool contradicts(const start_position& spec, const lease& l);

/// "" when no lease contradicts the spec, else: "start_from: beginning in the spec, but the
/// leases in <where> were started from now: existing checkpoints win; `bulkd checkpoint reset
/// <job> --to beginning` starts over" (each contradicting StartFrom once, in lease order).
std::string start_from_warning(std::string_view job, const start_position& spec,
                               const std::vector<lease>& leases, std::string_view where);

} // namespace bulkd
