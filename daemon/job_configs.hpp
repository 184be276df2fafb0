#pragma once

// How a job spec and bulkd.yaml become the configuration of a job actor, the same for `bulkd run`
// and `bulkd serve`: accounts looked up by name, paths resolved against the state dir, the
// checkpoint/lease and dead-letter files named. The caller adds the pool and on_done.

#include "actors/bulk_upsert/bulk_job_actor.hpp"
#include "actors/change_feed/change_feed_job_actor.hpp"
#include "jobs/daemon_config.hpp"
#include "jobs/job_spec.hpp"

#include <caf/expected.hpp>

namespace bulkd {

/// For a bulk-upsert job; ec::invalid_argument when its account is not in the config.
caf::expected<bulk_job_config> make_bulk_job_config(const daemon_config& config,
                                                    const job_spec& job);

/// For a change-feed job; ec::invalid_argument naming the source, lease or sink account that is
/// not in the config. The instance name is the spec's, else the host name.
caf::expected<change_feed_job_config> make_change_feed_job_config(const daemon_config& config,
                                                                  const job_spec& job);

} // namespace bulkd
