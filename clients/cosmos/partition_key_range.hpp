#pragma once

// Partition key ranges (GET .../pkranges): the physical partitions of a container, each owning
// the EPKs [minInclusive, maxExclusive).

#include "clients/cosmos/epk_range.hpp"
#include "clients/http_response.hpp"

#include <caf/expected.hpp>

#include <string>
#include <vector>

namespace bulkd::cosmos {

struct partition_key_range {
  std::string id;
  std::string min_inclusive;
  std::string max_exclusive;
  /// Ids of the ranges this one was split (or merged) from.
  std::vector<std::string> parents;
  std::string status;

  epk_range range() const { return {min_inclusive, max_exclusive, false}; }

  friend bool operator==(const partition_key_range&, const partition_key_range&) = default;
};

struct pkranges_response {
  /// 304 to the A-IM form: nothing changed since If-None-Match; ranges is empty.
  bool not_modified = false;
  /// The etag header: If-None-Match of the next A-IM read.
  std::string etag;
  /// The body's "_rid" (the collection's RID), when present.
  std::string collection_rid;
  std::vector<partition_key_range> ranges;
};

/// Parses a 200 or 304 answer. Range ids may be strings or numbers (some servers send 0).
/// Errors are ec::parse_error naming the range and field.
caf::expected<pkranges_response> parse_pkranges(const http_response& response);

} // namespace bulkd::cosmos
