#include "actors/backoff.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>

namespace bulkd {

jitter_source random_jitter() {
  struct generator {
    std::mutex mtx;
    std::mt19937_64 engine{std::random_device{}()};
  };
  auto gen = std::make_shared<generator>();
  return [gen](uint64_t max) {
    std::uniform_int_distribution<uint64_t> dist{0, max};
    std::lock_guard<std::mutex> guard{gen->mtx};
    return dist(gen->engine);
  };
}

jitter_source max_jitter() {
  return [](uint64_t max) { return max; };
}

jitter_source zero_jitter() {
  return [](uint64_t) -> uint64_t { return 0; };
}

caf::timespan backoff_ceiling(const backoff_policy& policy, uint64_t attempt) {
  auto initial = std::max(policy.initial.count(), int64_t{0});
  auto cap = std::max(policy.cap.count(), int64_t{0});
  if (initial == 0)
    return caf::timespan{0};
  // initial * 2^attempt > cap  <=>  initial > cap / 2^attempt; checked before shifting.
  for (uint64_t i = 0; i < attempt; ++i) {
    if (initial > cap / 2)
      return caf::timespan{cap};
    initial *= 2;
  }
  return caf::timespan{std::min(initial, cap)};
}

caf::timespan backoff_delay(const backoff_policy& policy, uint64_t attempt,
                            const jitter_source& jitter) {
  auto ceiling = static_cast<uint64_t>(backoff_ceiling(policy, attempt).count());
  uint64_t drawn = jitter ? jitter(ceiling) : random_jitter()(ceiling);
  return caf::timespan{static_cast<int64_t>(std::min(drawn, ceiling))};
}

} // namespace bulkd
