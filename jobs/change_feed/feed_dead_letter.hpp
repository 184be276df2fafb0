#pragma once

// The dead-letter line of a change batch the sink gave up on (on_failure: dead-letter): one JSON
// object per batch, written (and fsynced) before the batch is checkpointed as skipped:
//
// {"time":"2026-11-21T22:00:00.250Z","job":"orders-feed","range":"3","sequence":17,
//  "continuation":"\"4711\"","error":"http sink failed batch 3#17: ...","documents":[{...},...]}
//
// The documents are the changes as the feed returned them, in feed order.

#include "jobs/change_feed/change_batch.hpp"
#include "jobs/timestamp.hpp"

#include <string>
#include <string_view>

namespace bulkd {

/// The line, without the newline. Documents that are not valid JSON (they always are when they
/// come from the feed) are kept as JSON strings.
std::string feed_dead_letter_line(const change_batch& batch, std::string_view error, utc_time at);

} // namespace bulkd
