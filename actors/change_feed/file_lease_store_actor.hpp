#pragma once

// The file lease store: every lease of one job in one JSON file (<state_dir>/leases/<job>.json,
// see jobs/change_feed/lease_file.hpp), for a single instance. Each change is written atomically
// (temp file, fsync, rename) before it is answered, so a restart reads back exactly what was
// acknowledged. Group commit: the changes of all requests waiting in the mailbox (checkpoints of
// several ranges) go into one write, then all of them are answered; a failed write fails them
// all and none of them stays. Concurrency tokens are a counter kept in the file. It runs detached (fsync
// blocks). A file that cannot be read or parsed fails every request with an error naming it;
// it is never replaced by an empty set of leases.

#include "actors/change_feed/lease_store_actor.hpp"
#include "jobs/timestamp.hpp"

#include <caf/fwd.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace bulkd {

struct file_lease_store_config {
  std::filesystem::path file;      // lease_file_path(state_dir, job)
  std::string prefix;              // lease ids are <prefix>..<token>
  std::string instance;            // the owner name written into acquired leases
  std::function<utc_time()> clock; // lease timestamps; empty = lease_now()
};

lease_store_actor spawn_file_lease_store(caf::actor_system& sys, file_lease_store_config config);

lease_store_actor spawn_file_lease_store(caf::local_actor* parent, file_lease_store_config config);

} // namespace bulkd
