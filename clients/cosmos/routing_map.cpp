#include "clients/cosmos/routing_map.hpp"

#include "clients/error.hpp"

#include <algorithm>
#include <set>

namespace bulkd::cosmos {

namespace {

caf::error incomplete(std::string why) {
  return make_error(ec::invalid_argument, "incomplete partition key ranges: " + std::move(why));
}

std::string quoted(std::string_view text) {
  return "\"" + std::string{text} + "\"";
}

} // namespace

caf::expected<routing_map> routing_map::make(std::vector<partition_key_range> ranges,
                                             std::string etag) {
  std::set<std::string, std::less<>> gone;
  for (const auto& range : ranges)
    gone.insert(range.parents.begin(), range.parents.end());
  std::erase_if(ranges, [&](const partition_key_range& r) { return gone.count(r.id) > 0; });
  if (ranges.empty())
    return incomplete("no ranges");
  std::set<std::string_view> ids;
  for (const auto& range : ranges) {
    if (!ids.insert(range.id).second)
      return incomplete("range id " + range.id + " appears twice");
    if (compare_epk(range.min_inclusive, range.max_exclusive) >= 0)
      return incomplete("range " + range.id + " is empty: [" + quoted(range.min_inclusive) + ", " +
                        quoted(range.max_exclusive) + ")");
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const partition_key_range& a, const partition_key_range& b) {
              auto cmp = compare_epk(a.min_inclusive, b.min_inclusive);
              return cmp != 0 ? cmp < 0 : compare_epk(a.max_exclusive, b.max_exclusive) < 0;
            });
  if (compare_epk(ranges.front().min_inclusive, min_epk) != 0)
    return incomplete("the first range (" + ranges.front().id + ") starts at " +
                      quoted(ranges.front().min_inclusive) + ", not \"\"");
  for (size_t i = 1; i < ranges.size(); ++i) {
    const auto& prev = ranges[i - 1];
    const auto& next = ranges[i];
    auto cmp = compare_epk(prev.max_exclusive, next.min_inclusive);
    if (cmp < 0)
      return incomplete("gap between range " + prev.id + " (ends at " + quoted(prev.max_exclusive) +
                        ") and range " + next.id + " (starts at " + quoted(next.min_inclusive) +
                        ")");
    if (cmp > 0)
      return incomplete("ranges " + prev.id + " and " + next.id + " overlap (" +
                        quoted(prev.max_exclusive) + " > " + quoted(next.min_inclusive) + ")");
  }
  if (compare_epk(ranges.back().max_exclusive, max_epk) != 0)
    return incomplete("the last range (" + ranges.back().id + ") ends at " +
                      quoted(ranges.back().max_exclusive) + ", not \"FF\"");
  routing_map out;
  out.ranges_ = std::move(ranges);
  out.etag_ = std::move(etag);
  return out;
}

caf::expected<routing_map> routing_map::apply(const std::vector<partition_key_range>& changes,
                                              std::string etag) const {
  auto all = ranges_;
  for (const auto& change : changes) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const partition_key_range& r) { return r.id == change.id; });
    if (it != all.end())
      *it = change;
    else
      all.push_back(change);
  }
  return make(std::move(all), std::move(etag));
}

const partition_key_range* routing_map::route(std::string_view epk) const {
  // The last range whose min is <= epk.
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), epk,
                             [](std::string_view value, const partition_key_range& r) {
                               return compare_epk(value, r.min_inclusive) < 0;
                             });
  if (it == ranges_.begin())
    return nullptr;
  --it;
  return it->range().contains(epk) ? &*it : nullptr;
}

std::vector<const partition_key_range*> routing_map::overlapping(const epk_range& range) const {
  std::vector<const partition_key_range*> out;
  for (const auto& r : ranges_)
    if (r.range().overlaps(range))
      out.push_back(&r);
  return out;
}

const partition_key_range* routing_map::find(std::string_view id) const {
  auto it = std::find_if(ranges_.begin(), ranges_.end(),
                         [&](const partition_key_range& r) { return r.id == id; });
  return it == ranges_.end() ? nullptr : &*it;
}

std::vector<const partition_key_range*> routing_map::children_of(std::string_view id) const {
  std::vector<const partition_key_range*> out;
  for (const auto& r : ranges_)
    if (std::find(r.parents.begin(), r.parents.end(), id) != r.parents.end())
      out.push_back(&r);
  return out;
}

} // namespace bulkd::cosmos
