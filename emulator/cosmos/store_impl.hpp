#pragma once

// Internals shared by the store_*.cpp files.

#include "emulator/cosmos/sqlite.hpp"
#include "emulator/cosmos/store.hpp"

#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace bulkd::emulator::cosmos {

/// The counters every write bumps (etag counter, per-container next document number, per-range
/// LSN), kept in memory so a document costs no UPDATE of its own. They are loaded from their rows
/// on first use and written back by `flush` inside the same SQLite transaction (or savepoint)
/// before it commits, so the tables always hold what was committed and a crash at any point
/// recovers exact values. Whenever a transaction or savepoint rolls back, `forget` drops them and
/// the next use reloads the rolled-back state. Guarded by store::impl::mutex.
class store_counters {
public:
  caf::expected<int64_t> next_etag(sqlite_connection& db);
  caf::expected<int64_t> next_document_number(sqlite_connection& db, int64_t container);
  /// The next LSN of range `range_id` if it is online; nullopt when it is missing or split.
  caf::expected<std::optional<int64_t>> next_lsn(sqlite_connection& db, int64_t container,
                                                 const std::string& range_id);
  /// The current LSN of a range (error when missing).
  caf::expected<int64_t> lsn(sqlite_connection& db, int64_t container, const std::string& range_id);

  /// Writes the changed counters (call inside the transaction, before COMMIT or RELEASE).
  caf::error flush(sqlite_connection& db);
  /// Drops every counter: after a change of containers or ranges, or a failed COMMIT.
  void forget();
  /// After a rollback (of a transaction or savepoint that began with nothing unwritten): the
  /// counters are dropped only when they changed, else they still match the tables.
  void rolled_back() {
    if (any_dirty_)
      forget();
  }

private:
  struct range_counter {
    int64_t lsn = 0;
    bool online = false;
    bool exists = false;
    bool dirty = false;
  };
  struct doc_counter {
    int64_t next = 0;
    bool dirty = false;
  };
  caf::expected<range_counter*> range(sqlite_connection& db, int64_t container,
                                      const std::string& range_id);

  std::optional<int64_t> etag_;
  bool etag_dirty_ = false;
  std::map<int64_t, doc_counter> docs_;
  std::map<std::pair<int64_t, std::string>, range_counter, std::less<>> ranges_;
  bool any_dirty_ = false;
};

struct store::impl {
  std::mutex mutex;
  sqlite_connection db;
  store_counters counters;

  /// A fresh quoted etag; call inside a transaction.
  caf::expected<std::string> next_etag(int64_t ts);
};

/// A store transaction: BEGIN IMMEDIATE; commit() writes the counters back, then COMMITs;
/// destroyed uncommitted, it rolls back and drops the counters.
class store_write {
public:
  explicit store_write(store::impl& s);
  ~store_write();
  store_write(const store_write&) = delete;
  store_write& operator=(const store_write&) = delete;
  caf::error begin();
  caf::error commit();

private:
  store::impl& s_;
  sqlite_transaction tx_;
  bool committed_ = false;
};

int64_t now_seconds();

/// A document by key and id; call with the lock held.
caf::expected<std::optional<document_record>> find_document(sqlite_connection& db,
                                                            int64_t container,
                                                            const std::string& pk,
                                                            const std::string& id);

/// One write without lock or transaction of its own; failed statuses change nothing.
caf::expected<write_outcome> apply_write(store::impl& s, const document_write& w);

} // namespace bulkd::emulator::cosmos
