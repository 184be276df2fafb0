#pragma once

// Pieces shared by the job kinds: container references, retry policies, dead-letter files.
// Paths in job specs may be relative: they are taken against the daemon's state_dir
// (daemon_config::resolve_job_path).

#include "jobs/duration.hpp"

#include <cstdint>
#include <string>

namespace bulkd {

struct container_ref {
  std::string account; // a name from bulkd.yaml `accounts:`
  std::string database;
  std::string container;

  friend bool operator==(const container_ref&, const container_ref&) = default;
};

struct retry_policy {
  uint32_t max_attempts = 10; // >= 1; 1 = no retry
  duration initial_backoff = std::chrono::milliseconds{100};
  duration max_backoff = std::chrono::seconds{30}; // >= initial_backoff

  friend bool operator==(const retry_policy&, const retry_policy&) = default;
};

struct dead_letter_spec {
  std::string path; // JSON lines; empty = <state_dir>/dead-letter/<job name>.jsonl

  friend bool operator==(const dead_letter_spec&, const dead_letter_spec&) = default;
};

} // namespace bulkd
