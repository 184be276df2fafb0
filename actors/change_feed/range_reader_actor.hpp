#pragma once

// The consumer of one feed range: reads its change feed page by page through http_pool and
// hands each non-empty page to the job's sink as a change_batch, one at a time, in feed order.
// Messages with its parent: actors/change_feed/range_reader_messages.hpp.
//
// Position: the first read continues from `continuation` (If-None-Match) or, without one, starts
// where start_from says (beginning: no precondition; now: If-None-Match: *; a time:
// If-Modified-Since). Every later read continues from the etag of the previous answer.
//
// At-least-once: a batch's continuation goes to the parent (feed_checkpoint_atom) only after the
// sink acked it. The next read is sent while that checkpoint is being stored, but its page is
// delivered (and a gone, a failure, the next checkpoint reported) only after the parent answered.
// On an exit message the reader quits at once: a batch the sink has not acked is never
// checkpointed, so it is read again by whoever takes the range over.
//
// A reader that started without a continuation also reports the first position it is given
// without changes (a 304's etag, documents = 0): with start_from now, a restart then goes on from
// there instead of from a later "now", which would skip the changes made in between.
//
// Answers:
//   200 with changes -> deliver; read again at once after the ack
//   304 (or 200 without changes) -> read again after poll_interval
//   429              -> again after x-ms-retry-after-ms (1 s without it); up to
//                       max_throttle_retries in a row, not counted against retry.max_attempts
//   408, 449, 5xx, 404/1002, 410 other than 1002/1007, resets, timeouts, an overloaded pool ->
//                       again with exponential backoff and full jitter (retry.initial_backoff,
//                       retry.max_backoff), at least the server's retry-after; fails after
//                       retry.max_attempts reads in a row did not get an answer
//   410/1002, 410/1007 -> feed_gone_atom to the parent, quit normally
//   anything else (400, 401, 403, 404, a page that does not parse, TLS) -> quit with the error
//   the sink answers an error -> feed_sink_failed_atom to the parent, which says skip or stop

#include "actors/backoff.hpp"
#include "actors/change_feed/feed_sink_actor.hpp"
#include "actors/http_pool.hpp"
#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/request_builder.hpp"
#include "jobs/change_feed_spec.hpp"
#include "jobs/job_common.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace bulkd {

struct range_reader_config {
  std::string job;      // change_batch::job
  std::string range_id; // the partition key range id (x-ms-documentdb-partitionkeyrangeid)
  /// Only this part of the range (x-ms-start-epk / x-ms-end-epk), e.g. a parent's bounds on
  /// the range it was merged into; none = the whole range.
  std::optional<cosmos::epk_range> epk;
  /// The checkpointed etag to continue from; empty = start where start_from says.
  std::string continuation;
  start_position start_from;
  std::shared_ptr<const cosmos::request_builder> builder;
  cosmos::container_ref container;
  http_pool_actor pool;
  feed_sink_actor sink;
  caf::actor parent;
  std::chrono::milliseconds poll_interval = std::chrono::seconds{1};
  uint32_t max_batch = 500; // x-ms-max-item-count
  retry_policy retry;
  uint32_t max_throttle_retries = 100;
  /// change_batch::sequence of the first batch; each further batch adds 1.
  uint64_t first_sequence = 1;
  /// The backoff's random source; empty = random (tests inject one).
  jitter_source jitter;
};

/// Spawns a reader (cooperative: it never blocks). It starts reading at once.
caf::actor spawn_range_reader(caf::local_actor* parent, range_reader_config config);

/// The same, spawned by the system (tests).
caf::actor spawn_range_reader(caf::actor_system& sys, range_reader_config config);

} // namespace bulkd
