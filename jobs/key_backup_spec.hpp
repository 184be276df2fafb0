#pragma once

// A key-backup job: backs up Key Vault keys (all versions) to a backup set on disk.

#include "jobs/job_common.hpp"
#include "jobs/secret.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bulkd {

inline constexpr const char* default_keyvault_api_version = "7.5";

struct key_selection {
  std::vector<std::string> include{"*"};   // globs on whole key names (glob_pattern)
  std::vector<std::string> exclude;        // applied after include
  std::map<std::string, std::string> tags; // all must match exactly

  friend bool operator==(const key_selection&, const key_selection&) = default;
};

struct backup_destination {
  std::string path;      // backup sets go to <path>/<vault host>/<UTC timestamp>/
  secret encryption_key; // empty = blobs are stored as the service returns them

  friend bool operator==(const backup_destination&, const backup_destination&) = default;
};

struct key_backup_spec {
  std::string vault; // a name from bulkd.yaml `vaults:`
  key_selection keys;
  backup_destination destination;
  std::optional<uint32_t> keep_last; // retention.keep_last (>= 1); absent = keep every set
  uint32_t workers = 16;             // concurrency.workers, >= 1
  retry_policy retry;
  std::string api_version = default_keyvault_api_version;

  friend bool operator==(const key_backup_spec&, const key_backup_spec&) = default;
};

} // namespace bulkd
