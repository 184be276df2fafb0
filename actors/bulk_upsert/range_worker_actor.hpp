#pragma once

// The worker of one physical partition key range: takes the records the reader routed to its
// range (credit-bounded: it answers a batch once every record of it is on its way), packs them
// into bulk requests (at most `batch` operations and ~220 KB), keeps at most an adaptive number
// of requests in flight (+1 per second without throttles, halved on throttles, capped by
// max_in_flight), and settles every record: written, or dead-lettered with status, substatus and
// message. Per operation:
//   429          -> again after retryAfterMilliseconds / x-ms-retry-after-ms (own budget of
//                   max_throttle_retries, not counted against retry.max_attempts)
//   408, 449, 5xx, 410/1008, resets, timeouts -> again with exponential backoff (full jitter)
//                   until retry.max_attempts sends
//   410/1002, 410/1007 and other 410s -> handed to the job (reroute_records), which refreshes
//                   the routing map and sends them to the new ranges' workers
//   413/3402     -> back into the queue in batches half as large
//   anything else (400, 409, 412, 413, ...) -> dead letter
// Settled records go to the job in one settled_batch per response. With an RU budget the
// worker waits before sending while its token bucket is in debt.

#include "actors/http_pool.hpp"
#include "clients/cosmos/request_builder.hpp"
#include "jobs/bulk_upsert_spec.hpp"
#include "jobs/job_common.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bulkd {

struct range_worker_config {
  std::string range_id;
  std::shared_ptr<const cosmos::request_builder> builder;
  cosmos::container_ref container;
  http_pool_actor pool;
  caf::actor job; // receives settled_batch and reroute_records
  write_operation operation = write_operation::upsert;
  std::vector<patch_operation> patch;
  uint32_t batch = 100;            // operations per request, 1..100
  size_t max_body_bytes = 220'201; // the SDKs' bulk body target
  uint32_t max_in_flight = 8;      // this range's share of concurrency.max_in_flight
  uint32_t initial_in_flight = 4;
  retry_policy retry;
  uint32_t max_throttle_retries = 100;
  /// This range's share of rate_limit.max_ru_per_second; 0 = no budget. Each request spends an
  /// estimate (operations x the average charge seen so far) when it is sent and the difference to
  /// the reported charge when it comes back, so requests in flight count against the budget too.
  double max_ru_per_second = 0;
};

/// Spawns a worker (cooperative: it never blocks).
caf::actor spawn_range_worker(caf::local_actor* parent, range_worker_config config);

} // namespace bulkd
