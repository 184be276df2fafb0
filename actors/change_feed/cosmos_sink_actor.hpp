#pragma once

// The cosmos sink ("copy and migration"): upserts every change of a batch into a target
// container, and acknowledges the batch once every document of it is written.
//
// Documents arrive as the feed returned them; each loses the system properties (_rid, _self,
// _etag, _attachments, _ts, _lsn: jobs/change_feed/cosmos_sink_document.hpp), keeps id and user
// fields as written, and is keyed by the TARGET container's partition key definition (read when
// the container is opened; it may differ from the source's). A document that appears twice in a
// batch (same id and key) is written once, in its later version, so that retries cannot put an
// older version over a newer one.
//
// Writing: the documents are routed by EPK to the target's physical ranges and sent as bulk
// requests (x-ms-cosmos-is-batch-request, not atomic, continue on error; at most 100 operations
// and ~220 KB each, one range each), up to max_in_flight requests at once across every batch in
// hand. Why not the bulk-upsert job's range workers: they are built around that job (credit from
// a reader, settled positions in input files, re-routing through the job actor, adaptive
// concurrency per range), and a change batch is small (max_batch changes) and answered as a
// whole; building the requests here and sending them with cosmos_container_session::send (which
// retries whole-request transients: resets, timeouts, 408, 429, 449, 5xx, with the session's
// backoff) is less code and keeps the one Cosmos client.
//
// Per operation of a bulk answer:
//   2xx                          written
//   429 (not 3092)               again after retryAfterMilliseconds; own budget of
//                                max_throttle_retries, not counted against retry.max_attempts
//   408, 449, 5xx, 429/3092, 410/1008 and a body that does not parse
//                                again after the backoff (retry.initial_backoff * 2^n, full
//                                jitter, capped at retry.max_backoff; at least the service's
//                                delay), until retry.max_attempts sends
//   410 (1002, 1007, other)      the routing map is read again, then re-routed (counts an attempt)
//   413/3402 (whole request)     the operations again, one per request (counts an attempt)
//   anything else (400, 403, 409, 413, ...) failed at once
// A document that is not a JSON object, has no string id or is larger than the service's 2 MB
// limit fails without being sent. The batch is answered once every document is settled: ok_atom
// when all were written, else an error (ec::http_error, or ec::invalid_argument when the first
// failure is bad input):
//   cosmos sink gave up on batch <range>#<seq>: 2 of 50 documents not written to db/target;
//   first: document 3 (id "a/b"): 400/0: bad request (after 1 attempt)
//
// The target: account (resolved from bulkd.yaml by the job) and database/container of
// spec.target. container_ref has no create_if_missing, and the sink cannot guess a partition key
// path, so the target must exist unless the job fills create_if_missing (e.g. with the source
// container's partition key path). Opening failures (a missing container, a wrong key) fail the
// batch in hand; the next batch tries to open again.
//
// On an exit message the sink quits without answering the batches in hand (they are read again
// later); the same when http_pool shuts down under it.

#include "actors/backoff.hpp"
#include "actors/change_feed/feed_sink_actor.hpp"
#include "actors/cosmos_container_session.hpp"
#include "actors/http_pool.hpp"
#include "jobs/change_feed_spec.hpp"
#include "jobs/daemon_config.hpp"
#include "jobs/job_common.hpp"

#include <caf/fwd.hpp>

#include <cstdint>
#include <optional>

namespace bulkd {

struct cosmos_sink_config {
  cosmos_sink spec;
  account_config account; // the bulkd.yaml account spec.target.account names
  http_pool_actor pool;
  retry_policy retry;   // per document: sends for transient failures; also the session's backoff
  jitter_source jitter; // backoff jitter; empty = random_jitter()
  /// Create the target (and its database) when missing; absent = it must exist.
  std::optional<cosmos_create_spec> create_if_missing;
  uint32_t max_in_flight = 8;          // bulk requests at once, over every range and batch
  uint32_t max_throttle_retries = 100; // 429 answers per document before giving up
};

feed_sink_actor spawn_cosmos_sink(caf::actor_system& sys, cosmos_sink_config config);

feed_sink_actor spawn_cosmos_sink(caf::local_actor* parent, cosmos_sink_config config);

} // namespace bulkd
