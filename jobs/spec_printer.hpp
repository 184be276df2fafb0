#pragma once

// The normalized form of configs and job specs as YAML: every field, defaults filled in,
// durations and sizes in their shortest exact spelling, secrets as `***`. Loading the output
// again gives an equal value (with reveal_secrets, also for the secrets).

#include "jobs/daemon_config.hpp"
#include "jobs/job_spec.hpp"

#include <string>
#include <vector>

namespace bulkd {

struct print_options {
  /// Print secret values instead of `***`. Only for round-trip tests; never for output a user
  /// or a log could see.
  bool reveal_secrets = false;
};

std::string print_daemon_config(const daemon_config& config, print_options opts = {});

std::string print_job(const job_spec& job, print_options opts = {});

/// Several jobs as one multi-document YAML text (`---` between documents).
std::string print_jobs(const std::vector<job_spec>& jobs, print_options opts = {});

} // namespace bulkd
