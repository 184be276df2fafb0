#include "jobs/change_feed/lease_balancer.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace bulkd {

namespace {

// Lease tokens are pkrange ids ("0", "12"): order numbers by value, anything else as text.
bool token_less(const std::string& a, const std::string& b) {
  auto numeric = [](const std::string& s) {
    return !s.empty() && s.size() < 19 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (numeric(a) && numeric(b))
    return std::stoll(a) < std::stoll(b);
  return a < b;
}

bool by_token(const lease& a, const lease& b) {
  return token_less(a.range.token, b.range.token);
}

// Rotates `xs` to start at a place that depends on `me` (same list, same name, same order).
void rotate_for(std::vector<lease>& xs, std::string_view me) {
  if (xs.size() < 2)
    return;
  auto offset = std::hash<std::string_view>{}(me) % xs.size();
  std::rotate(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(offset), xs.end());
}

} // namespace

size_t fair_share(size_t ranges, size_t instances) {
  if (instances == 0)
    return std::max<size_t>(ranges, 1);
  return std::max<size_t>((ranges + instances - 1) / instances, 1);
}

balance_decision balance_leases(const std::vector<lease>& leases, std::string_view me, utc_time now,
                                duration expiration, const std::set<std::string>& live_instances) {
  balance_decision out;
  std::map<std::string, std::vector<lease>, std::less<>> held; // live owners -> their leases
  std::vector<lease> available;                                // free or expired
  for (auto& l : leases) {
    if (l.expired(now, expiration))
      available.push_back(l);
    else
      held[l.owner].push_back(l);
  }
  std::set<std::string, std::less<>> instances{live_instances.begin(), live_instances.end()};
  for (auto& [owner, _] : held)
    instances.insert(owner);
  instances.emplace(me);
  auto share = fair_share(leases.size(), instances.size());
  auto mine_it = held.find(me);
  auto mine = mine_it == held.end() ? std::vector<lease>{} : mine_it->second;
  if (mine.size() > share) {
    std::sort(mine.begin(), mine.end(), by_token);
    out.release.assign(mine.begin() + static_cast<std::ptrdiff_t>(share), mine.end());
    std::reverse(out.release.begin(), out.release.end());
    return out;
  }
  auto need = share - mine.size();
  if (need == 0)
    return out;
  if (!available.empty()) {
    // Free ones first (nobody to wait for), then the longest expired.
    std::sort(available.begin(), available.end(), [](const lease& a, const lease& b) {
      if (a.free() != b.free())
        return a.free();
      if (a.timestamp != b.timestamp)
        return a.timestamp < b.timestamp;
      return by_token(a, b);
    });
    auto free_end = std::partition_point(available.begin(), available.end(),
                                         [](const lease& l) { return l.free(); });
    std::vector<lease> free_ones{available.begin(), free_end};
    std::vector<lease> expired{free_end, available.end()};
    rotate_for(free_ones, me);
    for (auto* group : {&free_ones, &expired})
      for (auto& l : *group)
        if (out.take.size() < need)
          out.take.push_back(l);
    return out;
  }
  // Steal one from the most loaded other owner (ties: the smallest name).
  const std::vector<lease>* victim = nullptr;
  for (auto& [owner, owned] : held)
    if (owner != me && (victim == nullptr || owned.size() > victim->size()))
      victim = &owned;
  if (victim == nullptr)
    return out;
  auto threshold = need > 1 ? share - 1 : share;
  if (victim->size() <= threshold)
    return out;
  auto candidates = *victim;
  std::sort(candidates.begin(), candidates.end(), by_token);
  rotate_for(candidates, me);
  out.steal = candidates.front();
  return out;
}

duration fencing_interval(duration renew_interval, duration expiration) {
  if (expiration <= renew_interval)
    return renew_interval;
  return renew_interval + (expiration - renew_interval) / 2;
}

} // namespace bulkd
