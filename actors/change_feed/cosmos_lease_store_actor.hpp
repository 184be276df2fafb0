#pragma once

// The Cosmos DB lease store: one lease document per feed range in a lease container, shared by
// every instance of a job (the SDKs' Change Feed Processor scheme; Cosmos DB is the coordination
// engine). The container must be partitioned by /id (create_if_missing creates it so). Every
// update is a replace with If-Match on the document's _etag:
//  - acquire: 412 means another instance changed the lease first -> ec::conflict (unless the
//    current copy names us: then an earlier attempt of ours went through);
//  - renew / checkpoint / release: 412 -> the lease is read again; still ours -> the change is
//    applied to the fresh copy (up to 5 times), someone else's -> ec::conflict (lost);
//  - 404 -> ec::not_found (gone);
//  - split: children are created (409: the existing child is kept), then the parent is deleted
//    with If-Match.
// Listing is the query SELECT * FROM c WHERE STARTSWITH(c.id, "<prefix>..") across partitions.
// Requests go through http_pool with cosmos_container_session's retries (429, 449, 5xx, resets).

#include "actors/change_feed/lease_store_actor.hpp"
#include "actors/cosmos_container_session.hpp"
#include "actors/http_pool.hpp"
#include "clients/cosmos/request_builder.hpp"
#include "jobs/timestamp.hpp"

#include <caf/fwd.hpp>

#include <functional>
#include <optional>
#include <string>

namespace bulkd {

struct cosmos_lease_store_config {
  std::optional<cosmos::request_builder> builder; // required: signed for the lease account
  http_pool_actor pool;
  cosmos::container_ref container; // the lease container
  std::string prefix;              // lease ids are <prefix>..<token> (see lease_prefix)
  std::string instance;            // the owner name written into acquired leases
  /// Create the lease container (and its database) when missing, partitioned by /id, with this
  /// manual throughput (none = the account's default). Absent = it must exist.
  std::optional<std::optional<uint32_t>> create_if_missing;
  cosmos_session_options session;
  std::function<utc_time()> clock; // lease timestamps; empty = lease_now()
};

lease_store_actor spawn_cosmos_lease_store(caf::actor_system& sys,
                                           cosmos_lease_store_config config);

lease_store_actor spawn_cosmos_lease_store(caf::local_actor* parent,
                                           cosmos_lease_store_config config);

} // namespace bulkd
