#pragma once

// Equal-share balancing of change-feed leases between the instances (bulkd processes) sharing a
// job, as the SDKs' Change Feed Processor does it (EqualPartitionsBalancingStrategy), plus
// voluntary release of leases beyond the share. A pure function: the lease manager runs it every
// acquire_interval with a fresh list of leases and carries out its decision through the lease
// store (every write is conditional, so decisions made on a stale list fail as conflicts).
//
// Fencing, so that a worker that loses its lease stops before the new owner starts:
//  - an owner processes a range only until fencing_interval() after it *sent* its last
//    successful renew, acquire or checkpoint of that lease; renewing every renew_interval keeps
//    it going, a failed or conflicting renew stops the worker (lost lease);
//  - a thief that stole a lease starts its worker only fencing_interval() after the steal
//    succeeded: by then the previous owner's last confirmation (sent before the steal) has run
//    out;
//  - an expired lease (timestamp + expiration < now) is taken and started at once: its owner
//    stopped at timestamp + fencing_interval() < timestamp + expiration at the latest.
// The margin between fencing_interval() and expiration absorbs clock skew between instances.

#include "jobs/change_feed/lease.hpp"
#include "jobs/duration.hpp"
#include "jobs/timestamp.hpp"

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

struct balance_decision {
  /// Free or expired leases to acquire now; their workers may start as soon as they are owned.
  std::vector<lease> take;
  /// At most one lease of the most loaded other owner; its worker starts only
  /// fencing_interval() after the acquire succeeded.
  std::optional<lease> steal;
  /// Own leases beyond the fair share: stop their workers, then release them.
  std::vector<lease> release;

  bool empty() const { return take.empty() && !steal && release.empty(); }
};

/// The share an instance aims for: ceil(ranges / instances), at least 1.
size_t fair_share(size_t ranges, size_t instances);

/// What instance `me` should do. The instances are the owners of leases that have not expired,
/// `me`, and `live_instances` (others known to be alive, e.g. ones seen in earlier rounds that
/// hold nothing at the moment; may be empty). Rules:
///  - holding more than the share: release the excess (highest tokens first), take nothing;
///  - else take free and expired leases up to the share (an own expired lease counts as
///    expired: it must be acquired again);
///  - when none is free or expired and `me` is below the share: steal one lease from the owner
///    with the most leases, if it holds more than the share (more than share - 1 when `me`
///    needs two or more).
/// Where several leases qualify, each instance starts at a different place (derived from its
/// name), so that instances starting together do not all race for the same lease.
balance_decision balance_leases(const std::vector<lease>& leases, std::string_view me, utc_time now,
                                duration expiration,
                                const std::set<std::string>& live_instances = {});

/// How long after sending its last successful renew an owner may keep processing, and how long
/// a thief waits after a steal: halfway between renew_interval and expiration. Requires
/// renew_interval < expiration (the spec loader checks it).
duration fencing_interval(duration renew_interval, duration expiration);

} // namespace bulkd
