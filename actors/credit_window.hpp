#pragma once

// Counts the unacknowledged batches a sender has in flight towards one receiver. Plain C++ so the
// accounting can be tested without actors; credit_channel<T> builds on it.

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace bulkd {

class credit_window {
public:
  /// A capacity of 0 would never let anything through; it is raised to 1.
  explicit credit_window(size_t capacity) noexcept : capacity_(std::max<size_t>(capacity, 1)) {}

  size_t capacity() const noexcept { return capacity_; }
  size_t in_flight() const noexcept { return in_flight_; }
  size_t available() const noexcept { return capacity_ - in_flight_; }
  bool has_credit() const noexcept { return in_flight_ < capacity_; }

  /// Highest in_flight() ever reached.
  size_t peak() const noexcept { return peak_; }

  /// Number of successful acquire() and release() calls so far.
  uint64_t acquired() const noexcept { return acquired_; }
  uint64_t released() const noexcept { return released_; }

  /// Takes one credit for a batch about to be sent. Returns false (and changes nothing) when the
  /// window is full.
  bool acquire() noexcept {
    if (!has_credit())
      return false;
    ++in_flight_;
    ++acquired_;
    peak_ = std::max(peak_, in_flight_);
    return true;
  }

  /// Returns the credit of an acknowledged (or failed) batch. Returns false (and changes nothing)
  /// when nothing is in flight.
  bool release() noexcept {
    if (in_flight_ == 0)
      return false;
    --in_flight_;
    ++released_;
    return true;
  }

private:
  size_t capacity_;
  size_t in_flight_ = 0;
  size_t peak_ = 0;
  uint64_t acquired_ = 0;
  uint64_t released_ = 0;
};

} // namespace bulkd
