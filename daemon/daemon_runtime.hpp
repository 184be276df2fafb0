#pragma once

// The long-running part of `bulkd serve`: the actor system with the root supervisor and its
// children, the admin HTTP server, systemd notifications, the watchdog and signal handling, in the
// order that makes shutdown clean. Returns the process exit code.

#include "jobs/daemon_config.hpp"
#include "jobs/job_spec.hpp"

#include <vector>

namespace bulkd {

int run_daemon(const daemon_config& config, const std::vector<job_spec>& jobs);

} // namespace bulkd
