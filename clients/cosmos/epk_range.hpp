#pragma once

// Ranges of effective partition keys, [min, max) by default, ordered as the service orders the
// hex strings, and the even split of a container's key space into N ranges.

#include <caf/expected.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::cosmos {

inline constexpr std::string_view min_epk = "";
inline constexpr std::string_view max_epk = "FF";

/// Orders EPK hex strings: byte order of the hex digits (case-insensitive); when one is a prefix
/// of the other and the rest is all '0' they are equal (the service pads MultiHash bounds).
/// Returns <0, 0 or >0.
int compare_epk(std::string_view lhs, std::string_view rhs);

struct epk_range {
  std::string min;
  std::string max;
  bool max_inclusive = false;

  bool contains(std::string_view epk) const;
  /// True when no EPK lies in the range.
  bool empty() const;
  bool overlaps(const epk_range& other) const;

  friend bool operator==(const epk_range&, const epk_range&) = default;
};

/// Splits ["", "FF") into `count` adjacent ranges that share hashed keys evenly: boundaries split
/// the masked V2 hash space [00.., 40..) (also right for MultiHash) or, for V1, the 32-bit hash
/// values encoded as V1 EPKs encode them. The first range starts at "", the last ends at "FF".
caf::expected<std::vector<epk_range>> split_epk_space(size_t count, int hash_version);

} // namespace bulkd::cosmos
