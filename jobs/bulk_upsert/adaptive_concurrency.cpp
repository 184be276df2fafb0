#include "jobs/bulk_upsert/adaptive_concurrency.hpp"

#include <algorithm>

namespace bulkd {

adaptive_concurrency::adaptive_concurrency(uint32_t initial, uint32_t max, clock::time_point now)
    : limit_(std::clamp(initial, 1u, std::max(max, 1u))), max_(std::max(max, 1u)),
      last_change_(now), last_cut_(now) {}

void adaptive_concurrency::on_success(clock::time_point now) {
  if (now - last_change_ < window)
    return;
  if (limit_ < max_)
    ++limit_;
  // Keep a once-per-second cadence under steady traffic, but never bank increases over a gap.
  auto periods = (now - last_change_) / window;
  last_change_ += periods * window;
}

void adaptive_concurrency::on_throttle(clock::time_point now) {
  if (!cut_ || now - last_cut_ >= window) {
    limit_ = std::max(1u, limit_ / 2);
    last_cut_ = now;
    cut_ = true;
  }
  last_change_ = std::max(last_change_, now);
}

} // namespace bulkd
