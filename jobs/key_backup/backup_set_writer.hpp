#pragma once

// Writes one backup set: creates `<destination>/<vault dir>/<UTC start time>/` (0700), stores one
// file per key atomically (temp file, fsync, rename, fsync directory; 0600), encrypted when a key
// is given (format in encrypted_blob.hpp), and finally manifest.json (layout in set_layout.hpp,
// contents in manifest.hpp). Until finish() has written the manifest the set is incomplete:
// verify says so and retention leaves it alone.
//
// Use from a job supervisor: create() at the start of a run; per key either write_key() (in the
// supervisor) or write_key_file() (a free function, safe to call from many workers at once) and
// then add() the returned entry in the supervisor; skip()/fail() for keys not backed up;
// finish() once every key is settled.

#include "jobs/key_backup/encryption_key.hpp"
#include "jobs/key_backup/manifest.hpp"
#include "jobs/timestamp.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace bulkd::key_backup {

/// Stores one key's backup blob (the raw bytes of the base64url-decoded `value` of
/// POST /keys/{name}/backup) in `set_dir`, encrypted when `key` is set, and returns its manifest
/// entry. Refuses invalid key names and empty blobs. Thread-safe for distinct key names.
caf::expected<manifest_key> write_key_file(const std::filesystem::path& set_dir,
                                           const encryption_key* key, key_info info,
                                           std::string_view blob);

class backup_set_writer {
public:
  struct options {
    std::filesystem::path destination; // destination.path of the job
    std::string vault_url;             // "https://myvault.vault.azure.net"
    std::optional<encryption_key> key; // none: blobs are stored unencrypted
    utc_time started;                  // names the set directory
  };

  /// Creates the set directory (and any missing parents, 0700). Errors name the path.
  static caf::expected<backup_set_writer> create(options opts);

  const std::filesystem::path& directory() const { return dir_; }

  const encryption_key* key() const { return opts_.key ? &*opts_.key : nullptr; }

  /// write_key_file() into this set, then add().
  caf::error write_key(key_info info, std::string_view blob);

  /// Records a key file written by write_key_file(). Refuses a name already recorded.
  caf::error add(manifest_key entry);

  /// Records a key that was deliberately not backed up (e.g. managed: backs a certificate).
  caf::error skip(skipped_key entry);

  /// Records a key whose backup failed.
  caf::error fail(failed_key entry);

  /// Writes manifest.json (atomically, last) and returns what it holds. The writer takes no more
  /// keys afterwards.
  caf::expected<backup_manifest> finish(utc_time finished);

  bool finished() const { return finished_; }

private:
  backup_set_writer(options opts, std::filesystem::path dir);

  caf::error check_open(std::string_view name);

  options opts_;
  std::filesystem::path dir_;
  backup_manifest manifest_;
  std::set<std::string> names_;
  bool finished_ = false;
};

} // namespace bulkd::key_backup
