#pragma once

// Names inside a backup destination:
//
//   <destination>/<vault directory>/<set directory>/<key name>.kvbackup[.enc]
//                                                 /manifest.json      (written last)
//
// The vault directory is the vault URL's host ("myvault.vault.azure.net"; a non-default port is
// appended after '_', other characters outside [A-Za-z0-9.-] become '_'). The set directory is
// the run's UTC start time to the second, "2026-11-21T15-04-05Z"; a second run within the same
// second gets "-2", "-3", ... appended. Directories are 0700, files 0600.

#include "jobs/timestamp.hpp"

#include <caf/expected.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace bulkd::key_backup {

inline constexpr const char* manifest_file_name = "manifest.json";

/// The directory for one vault under a destination; errors when `vault_url` is not an http(s) URL.
caf::expected<std::string> vault_directory_name(std::string_view vault_url);

/// `<destination>/<vault directory>`: where a vault's sets go, and what retention lists.
caf::expected<std::filesystem::path> vault_directory(const std::filesystem::path& destination,
                                                     std::string_view vault_url);

/// "2026-11-21T15-04-05Z" for sequence 1, "2026-11-21T15-04-05Z-2" for 2, ...
std::string set_directory_name(utc_time started, unsigned sequence = 1);

struct set_name {
  utc_time started; // to the second
  unsigned sequence = 1;

  friend auto operator<=>(const set_name&, const set_name&) = default;
};

/// The inverse of set_directory_name; nullopt for any other name, which is then never a set.
std::optional<set_name> parse_set_directory_name(std::string_view name);

/// `<key name>.kvbackup`, or `<key name>.kvbackup.enc` when encrypted. The name must have passed
/// check_key_name.
std::string key_file_name(std::string_view key_name, bool encrypted);

} // namespace bulkd::key_backup
