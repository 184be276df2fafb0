#pragma once

// Session tokens (x-ms-session-token): "<rangeId>:<version>#<globalLSN>[#<region>=<localLSN>]...",
// several ranges joined by ','. Also the older "<rangeId>:<lsn>" form.

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulkd::cosmos {

struct session_token_part {
  std::string range_id;
  /// -1 for the simple "<rangeId>:<lsn>" form.
  int64_t version = -1;
  int64_t global_lsn = 0;
  /// (region id, local LSN) pairs in token order.
  std::vector<std::pair<int64_t, int64_t>> regional_lsns;

  friend bool operator==(const session_token_part&, const session_token_part&) = default;
};

/// Parses a whole header (one or more ranges). ec::parse_error names the bad part.
caf::expected<std::vector<session_token_part>> parse_session_token(std::string_view text);

/// The global LSN of a single-range token, as the change-feed estimator takes it: the text after
/// ':', split on '#', element 1 (or 0 when there is only one).
caf::expected<int64_t> session_token_lsn(std::string_view text);

/// Formats parts back into a header value.
std::string to_string(const std::vector<session_token_part>& parts);

/// Combines two tokens range by range: a higher version wins, equal versions take the maximum of
/// each LSN. Ranges only in one side are kept. The result is ordered by range id as first seen.
caf::expected<std::string> merge_session_tokens(std::string_view lhs, std::string_view rhs);

} // namespace bulkd::cosmos
