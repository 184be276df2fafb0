#pragma once

// Reading and rewriting a change-feed job's leases in a Cosmos DB lease container from outside
// the job (`bulkd checkpoint show|reset`). Blocking: each call runs in its own small actor
// system and returns when the service has answered.

#include "jobs/change_feed/lease.hpp"
#include "jobs/daemon_config.hpp"

#include <caf/expected.hpp>

#include <string>
#include <vector>

namespace bulkd {

struct cosmos_lease_target {
  account_config account; // of the lease container
  std::string database;
  std::string container;
  std::string prefix; // lease_prefix(job, source database, source container)
};

/// Every lease of the prefix, ordered by token. A missing lease container is ec::not_found.
caf::expected<std::vector<lease>> list_cosmos_leases(const cosmos_lease_target& target);

/// Replaces each lease document by the given one, with If-Match on its etag (as listed): a
/// lease changed since (412) or gone (404) fails with ec::conflict naming it; leases replaced
/// before that stay replaced. Returns how many were replaced.
caf::expected<size_t> replace_cosmos_leases(const cosmos_lease_target& target,
                                            const std::vector<lease>& leases);

} // namespace bulkd
