#pragma once

// A prepared SQLite statement for key_store.cpp (include from .cpp files only).

#include "clients/error.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace bulkd::emulator::keyvault::sql {

inline caf::error failure(sqlite3* db, std::string_view what) {
  return make_error(ec::io_error, std::string{what} + ": " + sqlite3_errmsg(db));
}

class statement {
public:
  statement(sqlite3* db, const char* text) : db_(db) {
    if (sqlite3_prepare_v2(db, text, -1, &stmt_, nullptr) != SQLITE_OK)
      error_ = failure(db, "prepare");
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  /// Binds parameters 1..n in order; strings are copied.
  template <class... Ts>
  statement& bind(const Ts&... values) {
    int i = 0;
    (bind_one(++i, values), ...);
    return *this;
  }

  /// True while a row is available; errors end up in error().
  bool step() {
    if (error_)
      return false;
    auto rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
      return true;
    if (rc != SQLITE_DONE)
      error_ = failure(db_, "step");
    return false;
  }

  /// Runs a statement that returns no rows.
  caf::error run() {
    step();
    return error_;
  }

  const caf::error& error() const { return error_; }

  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string{};
  }

private:
  void bind_one(int i, std::string_view v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  void bind_one(int i, const std::string& v) { bind_one(i, std::string_view{v}); }
  void bind_one(int i, const char* v) { bind_one(i, std::string_view{v}); }
  void bind_one(int i, int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_one(int i, int v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_one(int i, bool v) { check(sqlite3_bind_int64(stmt_, i, v ? 1 : 0)); }
  void bind_one(int i, std::nullptr_t) { check(sqlite3_bind_null(stmt_, i)); }
  void check(int rc) {
    if (rc != SQLITE_OK && !error_)
      error_ = failure(db_, "bind");
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  caf::error error_;
};

inline caf::error exec(sqlite3* db, const char* text) {
  char* message = nullptr;
  if (sqlite3_exec(db, text, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string what = message ? message : "unknown";
    sqlite3_free(message);
    return make_error(ec::io_error, std::string{"sqlite: "} + what);
  }
  return {};
}

/// BEGIN IMMEDIATE ... COMMIT, rolled back unless commit() succeeded.
class transaction {
public:
  explicit transaction(sqlite3* db) : db_(db) { error_ = exec(db, "BEGIN IMMEDIATE"); }
  ~transaction() {
    if (!done_ && !error_)
      exec(db_, "ROLLBACK");
  }
  const caf::error& error() const { return error_; }
  caf::error commit() {
    auto err = exec(db_, "COMMIT");
    done_ = !err;
    return err;
  }

private:
  sqlite3* db_;
  caf::error error_;
  bool done_ = false;
};

} // namespace bulkd::emulator::keyvault::sql
