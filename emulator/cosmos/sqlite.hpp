#pragma once

// A thin SQLite wrapper for the store: one connection, prepared statements cached by their SQL
// text. Not thread-safe on its own: the store holds a mutex around every use.

#include <caf/expected.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace bulkd::emulator::cosmos {

class sqlite_statement {
public:
  explicit sqlite_statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  sqlite_statement& bind(int index, int64_t value);
  sqlite_statement& bind(int index, std::string_view text);
  /// Without a copy: `text` must stay unchanged until the statement is reset.
  sqlite_statement& bind_static(int index, std::string_view text);
  sqlite_statement& bind_null(int index);

  /// true: a row is available; false: done. Errors become caf::error.
  caf::expected<bool> step();
  /// Steps once and expects no row (INSERT/UPDATE/DELETE).
  caf::error run();

  int64_t int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

  void reset();

private:
  sqlite3_stmt* stmt_;
};

class sqlite_connection {
public:
  sqlite_connection() = default;
  ~sqlite_connection();
  sqlite_connection(const sqlite_connection&) = delete;
  sqlite_connection& operator=(const sqlite_connection&) = delete;

  /// Opens (creating) the file, or ":memory:".
  caf::error open(const std::string& path);

  /// Runs one or more statements without results.
  caf::error exec(std::string_view sql);

  /// A cached statement, reset and with cleared bindings.
  caf::expected<sqlite_statement> prepare(const std::string& sql);

  int64_t changes() const;
  int64_t last_insert_rowid() const;

  sqlite3* handle() { return db_; }

private:
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

/// BEGIN IMMEDIATE ... COMMIT, rolled back when not committed.
class sqlite_transaction {
public:
  explicit sqlite_transaction(sqlite_connection& db) : db_(db) {}
  ~sqlite_transaction();
  caf::error begin();
  caf::error commit();

private:
  sqlite_connection& db_;
  bool open_ = false;
};

} // namespace bulkd::emulator::cosmos
