#pragma once

// Exponential backoff with full jitter: the n-th retry (n = 0, 1, ...) waits a uniformly random
// time in [0, min(cap, initial * 2^n)] ("full jitter", which spreads out retries of many actors
// that failed at the same moment). The random source is injectable so that tests are exact.

#include <caf/timespan.hpp>

#include <chrono>
#include <cstdint>
#include <functional>

namespace bulkd {

struct backoff_policy {
  caf::timespan initial = std::chrono::milliseconds{100};
  caf::timespan cap = std::chrono::seconds{30};
};

/// Returns a value uniformly distributed in [0, max] (inclusive).
using jitter_source = std::function<uint64_t(uint64_t max)>;

/// A thread-safe source backed by a std::mt19937_64 seeded from std::random_device.
jitter_source random_jitter();

/// Always returns max: every delay equals its ceiling. For tests.
jitter_source max_jitter();

/// Always returns 0: every retry happens at once. For tests.
jitter_source zero_jitter();

/// min(cap, initial * 2^attempt), without overflow for any attempt.
caf::timespan backoff_ceiling(const backoff_policy& policy, uint64_t attempt);

/// A delay drawn from [0, backoff_ceiling(policy, attempt)]; an empty jitter means random_jitter().
caf::timespan backoff_delay(const backoff_policy& policy, uint64_t attempt,
                            const jitter_source& jitter);

} // namespace bulkd
