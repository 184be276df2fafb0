#pragma once

// The restart intensity limit of a supervisor: a child may fail at most `max_restarts` times
// within `window`; one more failure and the supervisor gives up on it.

#include <caf/timespan.hpp>

#include <chrono>
#include <cstddef>
#include <deque>

namespace bulkd {

struct restart_intensity {
  size_t max_restarts = 10;
  caf::timespan window = std::chrono::seconds{60};
};

/// Sliding window of failure times. The time axis is whatever the caller stamps failures with;
/// the supervisor uses the child's run time (wall time minus time spent waiting for restarts).
class restart_window {
public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit restart_window(restart_intensity limit = {}) : limit_(limit) {}

  /// Records a failure at `at` (non-decreasing) and forgets failures that left the window.
  /// Returns false when the failures now in the window exceed the limit.
  bool record(time_point at);

  /// Failures within the window as of the last record().
  size_t failures() const { return stamps_.size(); }

  const restart_intensity& limit() const { return limit_; }

private:
  restart_intensity limit_;
  std::deque<time_point> stamps_;
};

} // namespace bulkd
