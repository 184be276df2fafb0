#pragma once

// The emulator's Key Vault keys in SQLite: every version of every key (private JWK, attributes,
// tags, key_ops, managed flag), the soft-delete state of a key, and the instance's backup secret.
//
// Tables (one database file, WAL journal; ":memory:" for tests):
//   kv_key          name (unique, case-insensitive), deleted_date, scheduled_purge_date (both NULL
//                   while the key is active)
//   kv_key_version  seq (insertion order), name, version, jwk, attributes, tags, key_ops (JSON
//                   texts), managed, created, updated
//   kv_meta         "backup_secret" -> 32 random bytes made when the database is first opened, so
//                   blobs stay restorable after a restart and never on another instance
//
// Names compare case-insensitively (as Key Vault's identifiers do) but keep the case they were
// created with. The latest version of a key is the one added last. All members are thread-safe
// (one connection behind a mutex).

#include "emulator/keyvault/backup_blob.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace bulkd::emulator::keyvault {

/// One version of a key, with the key's name as stored.
struct key_record {
  std::string name;
  key_version_backup version;
};

struct deleted_key_record {
  key_record latest;
  int64_t deleted_date = 0;
  int64_t scheduled_purge_date = 0;
};

/// A page of a listing; `more` says whether anything follows the last item.
template <class T>
struct key_page {
  std::vector<T> items;
  bool more = false;
};

/// Errors: ec::not_found (no such active key / version / deleted key), ec::conflict (the name is
/// taken: soft-deleted on add, active or soft-deleted on restore, active on recover),
/// ec::invalid_argument (bad input), ec::io_error (SQLite).
class key_store {
public:
  /// Opens or creates the database at `path` (a file, or ":memory:").
  static caf::expected<std::unique_ptr<key_store>> open(const std::string& path);

  ~key_store();
  key_store(const key_store&) = delete;
  key_store& operator=(const key_store&) = delete;

  const std::string& backup_secret() const { return secret_; }

  /// Adds a version (creating the key when the name is new). Fails with conflict when the name is
  /// soft-deleted, or when the version id already exists for the key.
  caf::expected<key_record> add_version(std::string_view name, const key_version_backup& version);

  /// The latest version of an active key.
  caf::expected<key_record> latest(std::string_view name) const;

  /// One version of an active key (version ids compare case-insensitively).
  caf::expected<key_record> get(std::string_view name, std::string_view version) const;

  /// Read-modify-write of one version (empty `version`: the latest) of an active key, in one
  /// transaction. An error from `change` aborts and is returned.
  caf::expected<key_record> update(std::string_view name, std::string_view version,
                                   const std::function<caf::error(key_version_backup&)>& change);

  /// Latest versions of active keys ordered by name (case-insensitive), after `after_name`.
  caf::expected<key_page<key_record>> list_keys(std::string_view after_name, size_t limit) const;

  /// Versions of an active key in the order they were added, after the one with sequence number
  /// `after_seq` (0: from the start). `seq_out` receives the sequence number of the last item.
  caf::expected<key_page<key_record>> list_versions(std::string_view name, int64_t after_seq,
                                                    size_t limit, int64_t* seq_out) const;

  /// Soft-deletes an active key (all versions).
  caf::expected<deleted_key_record> soft_delete(std::string_view name, int64_t now,
                                                int64_t recoverable_days);

  caf::expected<deleted_key_record> get_deleted(std::string_view name) const;

  caf::expected<key_page<deleted_key_record>> list_deleted(std::string_view after_name,
                                                           size_t limit) const;

  /// Makes a soft-deleted key active again; returns its latest version.
  caf::expected<key_record> recover(std::string_view name);

  /// Removes a soft-deleted key for good.
  caf::error purge(std::string_view name);

  /// Purges every soft-deleted key whose scheduled purge date is at or before `now`.
  caf::expected<size_t> purge_expired(int64_t now);

  /// Every version of an active key, oldest first (what a backup holds).
  caf::expected<key_backup> backup(std::string_view name) const;

  /// Recreates a key with the versions (and version ids) of a backup, in their order. Fails with
  /// conflict when the name is active or soft-deleted. Returns the latest (last) version.
  caf::expected<key_record> restore(const key_backup& backup);

private:
  explicit key_store(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::string secret_;
  mutable std::mutex mutex_;
};

} // namespace bulkd::emulator::keyvault
