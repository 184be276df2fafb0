#include "emulator/cosmos/sqlite.hpp"

#include "clients/error.hpp"

#include <sqlite3.h>

namespace bulkd::emulator::cosmos {

namespace {

caf::error sql_error(sqlite3* db, std::string_view what) {
  return make_error(ec::io_error, "sqlite: " + std::string{what} + ": " +
                                      (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

} // namespace

sqlite_statement& sqlite_statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

sqlite_statement& sqlite_statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

sqlite_statement& sqlite_statement::bind_static(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

sqlite_statement& sqlite_statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

caf::expected<bool> sqlite_statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  return sql_error(sqlite3_db_handle(stmt_), sqlite3_sql(stmt_));
}

caf::error sqlite_statement::run() {
  auto row = step();
  if (!row)
    return row.error();
  return {};
}

int64_t sqlite_statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string sqlite_statement::text(int column) const {
  auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (data == nullptr)
    return {};
  return std::string{data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

bool sqlite_statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void sqlite_statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

sqlite_connection::~sqlite_connection() {
  for (auto& [sql, stmt] : cache_)
    sqlite3_finalize(stmt);
  if (db_ != nullptr)
    sqlite3_close(db_);
}

caf::error sqlite_connection::open(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK)
    return sql_error(db_, "cannot open " + path);
  sqlite3_busy_timeout(db_, 5000);
  return {};
}

caf::error sqlite_connection::exec(std::string_view sql) {
  std::string text{sql};
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string what = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return make_error(ec::io_error, "sqlite: " + what);
  }
  return {};
}

caf::expected<sqlite_statement> sqlite_connection::prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    sqlite_statement stmt{it->second};
    stmt.reset();
    return stmt;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK)
    return sql_error(db_, "prepare '" + sql + "'");
  cache_.emplace(sql, stmt);
  return sqlite_statement{stmt};
}

int64_t sqlite_connection::changes() const {
  return sqlite3_changes64(db_);
}

int64_t sqlite_connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

sqlite_transaction::~sqlite_transaction() {
  if (open_)
    db_.exec("ROLLBACK");
}

caf::error sqlite_transaction::begin() {
  if (auto err = db_.exec("BEGIN IMMEDIATE"))
    return err;
  open_ = true;
  return {};
}

caf::error sqlite_transaction::commit() {
  if (auto err = db_.exec("COMMIT"))
    return err;
  open_ = false;
  return {};
}

} // namespace bulkd::emulator::cosmos
