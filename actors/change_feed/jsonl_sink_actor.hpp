#pragma once

// The jsonl sink: appends every change of a batch as one line to a local file
// (jobs/change_feed/jsonl_sink_file.hpp: rotation, torn-line repair, 0600) and acknowledges the
// batch once it is written and, with fsync on, fsynced. It runs detached (write and fsync block).
// Group commit: it writes every batch waiting in its mailbox (several ranges deliver at once),
// then fsyncs once and acknowledges them all, so ranges do not queue behind each other's fsync.
// The file is opened with the first batch and again after an error that closed it.
//
// An I/O error is retried for the same batch with the job's retry policy (exponential backoff
// with full jitter; other batches are written meanwhile); after retry.max_attempts attempts, or
// at once for a path that is no file name, the batch is answered with the last error:
//   io_error: jsonl sink gave up on batch <range>#<sequence> after <n> attempts: <reason>

#include "actors/backoff.hpp"
#include "actors/change_feed/feed_sink_actor.hpp"
#include "jobs/change_feed_spec.hpp"
#include "jobs/job_common.hpp"
#include "jobs/timestamp.hpp"

#include <caf/fwd.hpp>

#include <functional>

namespace bulkd {

struct jsonl_sink_config {
  jsonl_sink spec;
  retry_policy retry;              // the job's `retry:`
  jitter_source jitter;            // backoff jitter; empty = random_jitter()
  std::function<utc_time()> clock; // names of rotated files; empty = the system clock
};

feed_sink_actor spawn_jsonl_sink(caf::actor_system& sys, jsonl_sink_config config);

feed_sink_actor spawn_jsonl_sink(caf::local_actor* parent, jsonl_sink_config config);

} // namespace bulkd
