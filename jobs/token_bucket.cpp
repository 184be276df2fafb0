#include "jobs/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace bulkd {

namespace {

double seconds_between(token_bucket::clock::time_point from, token_bucket::clock::time_point to) {
  if (to <= from)
    return 0;
  return std::chrono::duration<double>(to - from).count();
}

} // namespace

token_bucket::token_bucket(double rate_per_second, double burst, clock::time_point now)
    : rate_(rate_per_second), burst_(std::max(burst, 0.0)), tokens_(burst_), last_(now) {}

double token_bucket::available(clock::time_point now) const {
  if (rate_ <= 0)
    return burst_;
  return std::min(burst_, tokens_ + rate_ * seconds_between(last_, now));
}

void token_bucket::spend(double amount, clock::time_point now) {
  if (rate_ <= 0)
    return;
  tokens_ = available(now) - std::max(amount, 0.0);
  last_ = std::max(last_, now);
}

std::chrono::milliseconds token_bucket::wait_time(clock::time_point now) const {
  auto balance = available(now);
  if (balance >= 0)
    return std::chrono::milliseconds{0};
  return std::chrono::milliseconds{static_cast<int64_t>(std::ceil(-balance / rate_ * 1000.0))};
}

} // namespace bulkd
