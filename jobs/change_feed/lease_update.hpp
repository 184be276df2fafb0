#pragma once

// The changes a lease store makes to a lease on behalf of one instance, with the ownership rules
// both stores share. The store supplies the current copy (after an optimistic-concurrency
// conflict: a fresh read) and writes the result conditionally.

#include "jobs/change_feed/lease.hpp"
#include "jobs/timestamp.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bulkd {

enum class lease_change : uint8_t {
  acquire,    // owner = me (whoever owned it; the store checks the token the caller saw)
  renew,      // only the timestamp
  checkpoint, // continuation = the given one
  release,    // owner = "" (the continuation stays)
};

const char* to_string(lease_change change);

/// The system clock in the lease timestamps' precision (milliseconds).
utc_time lease_now();

/// `current` with the change applied and timestamp = now. For renew, checkpoint and release
/// `current` must be owned by `me`, else ec::conflict: "lease 3 lost: owned by host-b now" (or
/// "... lost: released"). Acquire checks nothing here.
caf::expected<lease> apply_change(lease current, lease_change change, std::string_view me,
                                  utc_time now, std::string_view continuation = {});

/// ec::conflict for an acquire whose lease changed since it was listed: "lease 3 changed since
/// it was listed (owner host-b)".
caf::error acquire_conflict(const lease& current);

/// ec::not_found: "lease 3 is gone (split or deleted)".
caf::error lease_gone(std::string_view token);

} // namespace bulkd
