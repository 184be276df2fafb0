#pragma once

// A page of changes read from one feed range, on its way to a sink. The continuation is what gets
// checkpointed once the sink has acknowledged the batch (at-least-once: never before).

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bulkd {

struct change_batch {
  std::string job;
  std::string range_id;               // the pkrange id the page was read from
  std::string continuation;           // the page's etag: If-None-Match of the next read
  std::vector<std::string> documents; // compact JSON text of each change, in feed order
  std::optional<int64_t> session_lsn; // the range's LSN when the page was read (lag)
  std::optional<int64_t> last_ts;     // "_ts" of the last document, seconds since the epoch
  uint64_t sequence = 0;              // per range, increasing: sinks may use it to detect replays

  friend bool operator==(const change_batch&, const change_batch&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, change_batch& x) {
  return f(caf::meta::type_name("change_batch"), x.job, x.range_id, x.continuation, x.documents,
           x.session_lsn, x.last_ts, x.sequence);
}

} // namespace bulkd
