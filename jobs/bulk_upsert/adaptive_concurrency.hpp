#pragma once

// Requests in flight allowed for one partition key range, adapted like the SDKs' bulk mode
// (additive increase, multiplicative decrease). Pure: the caller passes the time.
//
// - on_success: when a full second has passed since the last change (increase or cut), +1 (up to
//   max), and the next increase is due a second later. After an idle gap it still adds only 1.
// - on_throttle: halves the limit (at least 1) unless it was cut less than a second ago; the
//   responses of the requests already in flight when the first 429 came then cost one cut, not one
//   each. Every throttle postpones the next increase by a full second.

#include <chrono>
#include <cstdint>

namespace bulkd {

class adaptive_concurrency {
public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds window{1};

  /// max is at least 1; initial is clamped to [1, max].
  adaptive_concurrency(uint32_t initial, uint32_t max, clock::time_point now);

  void on_success(clock::time_point now);
  void on_throttle(clock::time_point now);

  uint32_t limit() const { return limit_; }
  uint32_t max() const { return max_; }

private:
  uint32_t limit_;
  uint32_t max_;
  clock::time_point last_change_;
  clock::time_point last_cut_;
  bool cut_ = false;
};

} // namespace bulkd
