#pragma once

// The http sink: POSTs each batch as a JSON array through http_pool
// (jobs/change_feed/http_sink_policy.hpp has the request and the classification of answers)
// and acknowledges it on a 2xx answer. 408, 429, 5xx and transport failures are retried, up to
// retry.max_attempts POSTs per batch, after the answer's Retry-After or else the backoff
// (initial_backoff * 2^n, full jitter, capped at max_backoff); other answers fail the batch at
// once. Batches of different ranges are in flight at the same time.
//
// When it gives up, the batch is answered with ec::http_error (or the transport's error code):
//   http sink gave up on batch <range>#<seq> after <n> attempts: POST <origin/path> answered
//   503: <body excerpt>
//   http sink failed batch <range>#<seq>: POST <origin/path> answered 400 (not retried): <...>
// Header values (secrets) never appear: the excerpt masks them and the url's query is left out.
//
// If http_pool shuts down (or is gone) the batch is abandoned, not answered, and the sink quits
// with that reason, as on an exit message: an unacknowledged batch is read again later.

#include "actors/backoff.hpp"
#include "actors/change_feed/feed_sink_actor.hpp"
#include "actors/http_pool.hpp"
#include "jobs/change_feed_spec.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <functional>

namespace bulkd {

struct http_sink_config {
  http_sink spec;
  http_pool_actor pool;
  jitter_source jitter; // backoff jitter; empty = random_jitter()
  /// The time HTTP-date Retry-After values are taken against; empty = the system clock.
  std::function<std::chrono::system_clock::time_point()> now;
};

feed_sink_actor spawn_http_sink(caf::actor_system& sys, http_sink_config config);

feed_sink_actor spawn_http_sink(caf::local_actor* parent, http_sink_config config);

} // namespace bulkd
