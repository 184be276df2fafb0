#include "clients/cosmos/range_batcher.hpp"

#include "clients/cosmos/epk_hash.hpp"
#include "clients/error.hpp"

namespace bulkd::cosmos {

range_batcher::range_batcher(routing_map map, partition_key_definition definition,
                             batch_limits limits)
    : map_(std::move(map)), definition_(std::move(definition)), limits_(limits) {}

caf::expected<std::string> range_batcher::route(const partition_key& key) const {
  auto epk = effective_partition_key(key, definition_);
  if (!epk)
    return epk.error();
  auto range = map_.route(*epk);
  if (range == nullptr)
    return make_error(ec::invalid_argument, "no partition key range holds EPK " + *epk);
  return range->id;
}

caf::expected<std::vector<range_batch>> range_batcher::add(const batch_operation& op,
                                                           uint64_t tag) {
  auto json = serialize(op);
  if (!json)
    return json.error();
  auto id = route(op.key);
  if (!id)
    return id.error();
  auto it = open_.try_emplace(*id, limits_).first;
  auto done = it->second.add(std::move(*json), tag);
  if (!done)
    return done.error();
  std::vector<range_batch> out;
  for (auto& body : *done)
    out.push_back({*id, std::move(body)});
  return out;
}

std::vector<range_batch> range_batcher::flush() {
  std::vector<range_batch> out;
  for (auto& [id, builder] : open_)
    if (auto body = builder.flush())
      out.push_back({id, std::move(*body)});
  return out;
}

size_t range_batcher::pending_operations() const {
  size_t n = 0;
  for (const auto& [id, builder] : open_)
    n += builder.pending_operations();
  return n;
}

} // namespace bulkd::cosmos
