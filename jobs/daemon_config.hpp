#pragma once

// The daemon configuration, bulkd.yaml: where state and jobs live, the admin API, logging, and the
// Cosmos DB accounts and Key Vault vaults that jobs refer to by name.

#include "jobs/credential_spec.hpp"
#include "jobs/duration.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/secret.hpp"
#include "jobs/source_location.hpp"
#include "clients/tls_options.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace bulkd {

enum class log_level { trace, debug, info, warn, error };
enum class log_format { logfmt, json };

template <>
struct enum_names<log_level> {
  static constexpr std::array<std::pair<log_level, std::string_view>, 5> values{{
      {log_level::trace, "trace"},
      {log_level::debug, "debug"},
      {log_level::info, "info"},
      {log_level::warn, "warn"},
      {log_level::error, "error"},
  }};
};

template <>
struct enum_names<log_format> {
  static constexpr std::array<std::pair<log_format, std::string_view>, 2> values{{
      {log_format::logfmt, "logfmt"},
      {log_format::json, "json"},
  }};
};

struct admin_config {
  std::string host = "127.0.0.1"; // from `listen: host:port` ("[::1]:8686" for IPv6)
  uint16_t port = 8686;
  secret token; // bearer token; required by the daemon when host is not loopback

  friend bool operator==(const admin_config&, const admin_config&) = default;
};

struct log_config {
  log_level level = log_level::info;
  log_format format = log_format::logfmt;

  friend bool operator==(const log_config&, const log_config&) = default;
};

/// How an account authenticates: which of the three forms bulkd.yaml used.
enum class account_auth { key, connection_string, credential };

struct account_config {
  std::string name;
  account_auth auth = account_auth::key;
  std::string endpoint;       // always set; for connection strings taken from AccountEndpoint
  secret key;                 // master key; for connection strings taken from AccountKey
  secret connection_string;   // as written, when auth == connection_string
  credential_spec credential; // when auth == credential
  tls_options tls;

  friend bool operator==(const account_config&, const account_config&) = default;
};

struct vault_config {
  std::string name;
  std::string url;
  credential_spec credential; // `default` when bulkd.yaml gives none
  tls_options tls;

  friend bool operator==(const vault_config&, const vault_config&) = default;
};

struct daemon_config {
  std::string state_dir = "/var/lib/bulkd";
  std::string jobs_dir = "/etc/bulkd/jobs.d";
  duration shutdown_timeout = std::chrono::seconds{30};
  admin_config admin;
  log_config log;
  std::map<std::string, account_config> accounts;
  std::map<std::string, vault_config> vaults;
  source_location origin; // the file it was loaded from

  /// A path from the config, relative paths taken against the config file's directory.
  std::string resolve_path(const std::string& path) const;

  /// A path from a job spec: relative paths are taken against the (resolved) state_dir.
  std::string resolve_job_path(const std::string& path) const;

  friend bool operator==(const daemon_config&, const daemon_config&) = default;
};

} // namespace bulkd
