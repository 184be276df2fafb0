#pragma once

// Loading and validating bulkd.yaml and job files. Loading is all-or-nothing: the result holds
// either a complete value or, when anything is wrong, no value and every diagnostic of the
// file(s) at once. Warnings may accompany a value.

#include "jobs/daemon_config.hpp"
#include "jobs/diagnostic.hpp"
#include "jobs/expand.hpp"
#include "jobs/job_spec.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

template <class T>
struct load_result {
  std::optional<T> value; // set iff diags holds no error
  diagnostics diags;

  bool ok() const { return value.has_value(); }
};

load_result<daemon_config>
parse_daemon_config(std::string_view yaml, const std::string& file,
                    const expansion_context& ctx = expansion_context::from_process());

load_result<daemon_config>
load_daemon_config(const std::string& path,
                   const expansion_context& ctx = expansion_context::from_process());

/// A job file holds one job or several as YAML documents separated by `---`. With `config`,
/// account and vault references are checked against it; without, they are not checked.
load_result<std::vector<job_spec>>
parse_job_file(std::string_view yaml, const std::string& file, const daemon_config* config,
               const expansion_context& ctx = expansion_context::from_process());

load_result<std::vector<job_spec>>
load_job_file(const std::string& path, const daemon_config* config,
              const expansion_context& ctx = expansion_context::from_process());

/// Every *.yaml and *.yml file of `dir` (not recursive, in name order). Job names must be unique
/// across all files.
load_result<std::vector<job_spec>>
load_jobs_dir(const std::string& dir, const daemon_config& config,
              const expansion_context& ctx = expansion_context::from_process());

/// Like above; without a config, account and vault references are not checked.
load_result<std::vector<job_spec>>
load_jobs_dir(const std::string& dir, const daemon_config* config,
              const expansion_context& ctx = expansion_context::from_process());

/// The jobs of `config.jobs_dir` (relative to the config file's directory when relative).
load_result<std::vector<job_spec>>
load_configured_jobs(const daemon_config& config,
                     const expansion_context& ctx = expansion_context::from_process());

enum class spec_file_kind { jobs, daemon_config, jobs_dir, unreadable };

/// Tells job files (a top-level map with `kind`, or several documents) from daemon configs and
/// directories (of job files).
spec_file_kind classify_spec_file(const std::string& path);

} // namespace bulkd
