#pragma once

// How far the consumer of one feed range is behind the container, as /metrics shows it:
//
//   items   = session LSN of the latest read - LSN of the last checkpointed continuation
//             (the continuation is the quoted LSN of the last change the page held, so this
//             counts the writes to the range since then; deletes and replaced versions count
//             too, which is why it is an estimate, as the SDKs' change feed estimator says)
//   seconds = now - "_ts" of the last delivered change; 0 when items is 0 (caught up, so a
//             quiet range does not look ever more behind)
//
// Both are unknown (nullopt) before the range's first checkpoint, and each is unknown when a
// value it needs is: no session token, an etag that is not a quoted LSN, a batch without _ts.

#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bulkd {

struct range_lag {
  std::optional<int64_t> items;
  std::optional<int64_t> seconds;

  friend bool operator==(const range_lag&, const range_lag&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, range_lag& x) {
  return f(caf::meta::type_name("range_lag"), x.items, x.seconds);
}

/// The LSN in a change-feed continuation: "\"42\"" (with the quotes) -> 42: the next read
/// returns the changes with _lsn > 42. ec::parse_error for anything else ("*", an empty or
/// unquoted etag, a sign, digits that overflow).
caf::expected<int64_t> continuation_lsn(std::string_view continuation);

/// The lag bookkeeping of one range, fed by its reader.
class range_lag_tracker {
public:
  /// A checkpoint was stored: its continuation, the session LSN of the read that gave the
  /// batch, and the _ts of the batch's last change (nullopt for a checkpoint without changes).
  void checkpointed(std::string_view continuation, std::optional<int64_t> session_lsn,
                    std::optional<int64_t> last_ts);

  /// A read saw the range at this session LSN (a 304, or a page not yet checkpointed). The
  /// highest LSN seen counts: LSNs of a range only grow, also across a split.
  void observed(std::optional<int64_t> session_lsn);

  range_lag lag(std::chrono::system_clock::time_point now) const;

private:
  bool checkpointed_ = false;
  std::optional<int64_t> checkpoint_lsn_;
  std::optional<int64_t> session_lsn_;
  std::optional<int64_t> last_ts_;
};

} // namespace bulkd
