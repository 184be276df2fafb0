#pragma once

// A container's routing map: its current partition key ranges, sorted, checked to cover
// ["", "FF") exactly, and the lookup EPK -> range that bulk writes are grouped by.

#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/partition_key_range.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bulkd::cosmos {

class routing_map {
public:
  /// From the ranges of a pkranges read (or of the whole A-IM sequence). Ranges another range
  /// names as its parent are gone (split or merged) and dropped; the rest must start at "", end
  /// at "FF", and follow each other without gap or overlap. ec::invalid_argument says where not.
  static caf::expected<routing_map> make(std::vector<partition_key_range> ranges,
                                         std::string etag = {});

  /// Applies the changes of an A-IM pkranges read: ranges with a known id replace it, new ones
  /// are added, parents are dropped. The map itself stays unchanged.
  caf::expected<routing_map> apply(const std::vector<partition_key_range>& changes,
                                   std::string etag) const;

  /// The range holding `epk`; nullptr only for EPKs at or above "FF".
  const partition_key_range* route(std::string_view epk) const;

  /// The ranges that overlap `range`, in EPK order (after a split: the children of a gone range).
  std::vector<const partition_key_range*> overlapping(const epk_range& range) const;

  const partition_key_range* find(std::string_view id) const;

  /// The ranges that name `id` among their parents.
  std::vector<const partition_key_range*> children_of(std::string_view id) const;

  /// Sorted by minInclusive.
  const std::vector<partition_key_range>& ranges() const { return ranges_; }
  size_t size() const { return ranges_.size(); }

  /// The etag of the pkranges response this map came from (If-None-Match of the next read).
  const std::string& etag() const { return etag_; }

private:
  routing_map() = default;

  std::vector<partition_key_range> ranges_;
  std::string etag_;
};

} // namespace bulkd::cosmos
