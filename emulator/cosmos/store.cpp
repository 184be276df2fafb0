#include "emulator/cosmos/store.hpp"

#include "clients/cosmos/epk_range.hpp"
#include "clients/error.hpp"
#include "emulator/cosmos/store_impl.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace bulkd::emulator::cosmos {

namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('etag', 0), ('schema', 1);
CREATE TABLE IF NOT EXISTS databases(
  number INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  etag TEXT NOT NULL,
  ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS containers(
  key INTEGER PRIMARY KEY AUTOINCREMENT,
  db_number INTEGER NOT NULL REFERENCES databases(number) ON DELETE CASCADE,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  etag TEXT NOT NULL,
  ts INTEGER NOT NULL,
  topology INTEGER NOT NULL DEFAULT 1,
  next_doc INTEGER NOT NULL DEFAULT 1,
  next_range INTEGER NOT NULL DEFAULT 0,
  UNIQUE(db_number, id));
CREATE TABLE IF NOT EXISTS ranges(
  container INTEGER NOT NULL REFERENCES containers(key) ON DELETE CASCADE,
  id TEXT NOT NULL,
  number INTEGER NOT NULL,
  min_epk TEXT NOT NULL,
  max_epk TEXT NOT NULL,
  parents TEXT NOT NULL DEFAULT '',
  lsn INTEGER NOT NULL DEFAULT 0,
  etag TEXT NOT NULL,
  ts INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'online',
  PRIMARY KEY(container, id));
CREATE TABLE IF NOT EXISTS documents(
  container INTEGER NOT NULL REFERENCES containers(key) ON DELETE CASCADE,
  pk TEXT NOT NULL,
  id TEXT NOT NULL,
  range_id TEXT NOT NULL,
  epk TEXT NOT NULL,
  number INTEGER NOT NULL,
  body TEXT NOT NULL,
  etag TEXT NOT NULL,
  ts INTEGER NOT NULL,
  lsn INTEGER NOT NULL,
  PRIMARY KEY(container, pk, id));
CREATE INDEX IF NOT EXISTS documents_by_lsn ON documents(container, range_id, lsn);
CREATE INDEX IF NOT EXISTS documents_by_number ON documents(container, number);
)sql";

std::vector<std::string> split_parents(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

database_record read_database_row(const sqlite_statement& st) {
  return {static_cast<uint32_t>(st.int64(0)), st.text(1), st.text(2), st.int64(3)};
}

} // namespace

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

caf::expected<std::string> store::impl::next_etag(int64_t ts) {
  auto next = counters.next_etag(db);
  if (!next)
    return next.error();
  auto counter = *next;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "\"%08llx-0000-0000-0000-%012llx\"",
                static_cast<unsigned long long>(ts & 0xffffffff),
                static_cast<unsigned long long>(counter & 0xffffffffffffLL));
  return std::string{buf};
}

store::store() : impl_(std::make_unique<impl>()) {}

store::~store() = default;

caf::expected<std::unique_ptr<store>> store::open(const std::string& path) {
  std::unique_ptr<store> result{new store()};
  if (auto err = result->init(path))
    return err;
  return result;
}

caf::error store::init(const std::string& path) {
  auto& db = impl_->db;
  if (auto err = db.open(path))
    return err;
  if (path != ":memory:") {
    // A larger page cache keeps the key indexes of a bulk load in memory (fewer reads of the
    // file), and checkpoints every 32 MiB of WAL instead of 4 MiB run (and sync) less often while
    // the store's mutex is held.
    if (auto err = db.exec("PRAGMA journal_mode=WAL; PRAGMA cache_size=-32768; "
                           "PRAGMA wal_autocheckpoint=8192;"))
      return err;
  }
  if (auto err = db.exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"))
    return err;
  return db.exec(schema);
}

caf::expected<std::optional<database_record>> store::create_database(const std::string& id) {
  std::lock_guard guard{impl_->mutex};
  auto& db = impl_->db;
  store_write tx{*impl_};
  if (auto err = tx.begin())
    return err;
  auto find = db.prepare("SELECT number FROM databases WHERE id = ?");
  if (!find)
    return find.error();
  auto exists = find->bind(1, id).step();
  if (!exists)
    return exists.error();
  find->reset();
  if (*exists)
    return std::optional<database_record>{};
  auto ts = now_seconds();
  auto etag = impl_->next_etag(ts);
  if (!etag)
    return etag.error();
  auto ins = db.prepare("INSERT INTO databases(id, etag, ts) VALUES (?, ?, ?)");
  if (!ins)
    return ins.error();
  if (auto err = ins->bind(1, id).bind(2, *etag).bind(3, ts).run())
    return err;
  database_record rec{static_cast<uint32_t>(db.last_insert_rowid()), id, *etag, ts};
  if (auto err = tx.commit())
    return err;
  return std::optional<database_record>{rec};
}

caf::expected<std::optional<database_record>> store::database(const std::string& id) {
  std::lock_guard guard{impl_->mutex};
  auto st = impl_->db.prepare("SELECT number, id, etag, ts FROM databases WHERE id = ?");
  if (!st)
    return st.error();
  auto row = st->bind(1, id).step();
  if (!row)
    return row.error();
  std::optional<database_record> out;
  if (*row)
    out = read_database_row(*st);
  st->reset();
  return out;
}

caf::expected<std::optional<database_record>> store::database_by_number(uint32_t number) {
  std::lock_guard guard{impl_->mutex};
  auto st = impl_->db.prepare("SELECT number, id, etag, ts FROM databases WHERE number = ?");
  if (!st)
    return st.error();
  auto row = st->bind(1, static_cast<int64_t>(number)).step();
  if (!row)
    return row.error();
  std::optional<database_record> out;
  if (*row)
    out = read_database_row(*st);
  st->reset();
  return out;
}

caf::expected<std::vector<database_record>> store::databases() {
  std::lock_guard guard{impl_->mutex};
  auto st = impl_->db.prepare("SELECT number, id, etag, ts FROM databases ORDER BY number");
  if (!st)
    return st.error();
  std::vector<database_record> out;
  while (true) {
    auto row = st->step();
    if (!row)
      return row.error();
    if (!*row)
      break;
    out.push_back(read_database_row(*st));
  }
  return out;
}

caf::expected<bool> store::delete_database(const std::string& id) {
  std::lock_guard guard{impl_->mutex};
  auto st = impl_->db.prepare("DELETE FROM databases WHERE id = ?");
  if (!st)
    return st.error();
  impl_->counters.forget();
  if (auto err = st->bind(1, id).run())
    return err;
  return impl_->db.changes() > 0;
}

caf::expected<std::vector<range_record>> store::load_ranges(int64_t container) {
  auto st = impl_->db.prepare("SELECT id, number, min_epk, max_epk, parents, lsn, etag, ts "
                              "FROM ranges WHERE container = ? AND status = 'online'");
  if (!st)
    return st.error();
  st->bind(1, container);
  std::vector<range_record> out;
  while (true) {
    auto row = st->step();
    if (!row)
      return row.error();
    if (!*row)
      break;
    out.push_back({st->text(0), static_cast<uint64_t>(st->int64(1)), st->text(2), st->text(3),
                   split_parents(st->text(4)), st->int64(5), st->text(6), st->int64(7)});
  }
  std::sort(out.begin(), out.end(), [](const range_record& a, const range_record& b) {
    return bulkd::cosmos::compare_epk(a.min, b.min) < 0;
  });
  return out;
}

caf::expected<std::optional<container_record>>
store::load_container(const std::string& where, int64_t a, const std::string* b) {
  auto st = impl_->db.prepare(
      "SELECT c.key, c.db_number, d.id, c.id, c.body, c.partition_key, c.etag, c.ts, c.topology "
      "FROM containers c JOIN databases d ON d.number = c.db_number WHERE " +
      where);
  if (!st)
    return st.error();
  st->bind(1, a);
  if (b != nullptr)
    st->bind(2, *b);
  auto row = st->step();
  if (!row)
    return row.error();
  if (!*row)
    return std::optional<container_record>{};
  container_record rec;
  rec.key = st->int64(0);
  rec.db_number = static_cast<uint32_t>(st->int64(1));
  rec.db_id = st->text(2);
  rec.id = st->text(3);
  rec.body = st->text(4);
  rec.partition_key = st->text(5);
  rec.etag = st->text(6);
  rec.ts = st->int64(7);
  rec.topology = st->int64(8);
  st->reset();
  auto ranges = load_ranges(rec.key);
  if (!ranges)
    return ranges.error();
  rec.ranges = std::move(*ranges);
  return std::optional<container_record>{std::move(rec)};
}

caf::expected<std::optional<container_record>>
store::create_container(uint32_t db_number, const std::string& id, const std::string& body,
                        const std::string& partition_key,
                        const std::vector<std::pair<std::string, std::string>>& ranges) {
  std::lock_guard guard{impl_->mutex};
  auto& db = impl_->db;
  store_write tx{*impl_};
  if (auto err = tx.begin())
    return err;
  auto find = db.prepare("SELECT key FROM containers WHERE db_number = ? AND id = ?");
  if (!find)
    return find.error();
  auto exists = find->bind(1, static_cast<int64_t>(db_number)).bind(2, id).step();
  if (!exists)
    return exists.error();
  find->reset();
  if (*exists)
    return std::optional<container_record>{};
  auto ts = now_seconds();
  auto etag = impl_->next_etag(ts);
  if (!etag)
    return etag.error();
  auto ins = db.prepare("INSERT INTO containers(db_number, id, body, partition_key, etag, ts, "
                        "next_range) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!ins)
    return ins.error();
  ins->bind(1, static_cast<int64_t>(db_number)).bind(2, id).bind(3, body).bind(4, partition_key);
  ins->bind(5, *etag).bind(6, ts).bind(7, static_cast<int64_t>(ranges.size()));
  if (auto err = ins->run())
    return err;
  auto key = db.last_insert_rowid();
  for (size_t i = 0; i < ranges.size(); ++i) {
    auto range_etag = impl_->next_etag(ts);
    if (!range_etag)
      return range_etag.error();
    auto rin = db.prepare("INSERT INTO ranges(container, id, number, min_epk, max_epk, etag, ts) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!rin)
      return rin.error();
    rin->bind(1, key).bind(2, std::to_string(i)).bind(3, static_cast<int64_t>(i + 1));
    rin->bind(4, ranges[i].first).bind(5, ranges[i].second).bind(6, *range_etag).bind(7, ts);
    if (auto err = rin->run())
      return err;
  }
  auto rec = load_container("c.key = ?", key, nullptr);
  if (!rec)
    return rec.error();
  if (auto err = tx.commit())
    return err;
  return rec;
}

caf::expected<std::optional<container_record>> store::container(uint32_t db_number,
                                                                const std::string& id) {
  std::lock_guard guard{impl_->mutex};
  return load_container("c.db_number = ? AND c.id = ?", db_number, &id);
}

caf::expected<std::optional<container_record>> store::container_by_key(int64_t key) {
  std::lock_guard guard{impl_->mutex};
  return load_container("c.key = ?", key, nullptr);
}

caf::expected<std::vector<container_record>> store::containers(uint32_t db_number) {
  std::lock_guard guard{impl_->mutex};
  std::vector<int64_t> keys;
  {
    auto st = impl_->db.prepare("SELECT key FROM containers WHERE db_number = ? ORDER BY key");
    if (!st)
      return st.error();
    st->bind(1, static_cast<int64_t>(db_number));
    while (true) {
      auto row = st->step();
      if (!row)
        return row.error();
      if (!*row)
        break;
      keys.push_back(st->int64(0));
    }
  }
  std::vector<container_record> out;
  for (auto key : keys) {
    auto rec = load_container("c.key = ?", key, nullptr);
    if (!rec)
      return rec.error();
    if (*rec)
      out.push_back(std::move(**rec));
  }
  return out;
}

caf::expected<bool> store::delete_container(uint32_t db_number, const std::string& id) {
  std::lock_guard guard{impl_->mutex};
  auto st = impl_->db.prepare("DELETE FROM containers WHERE db_number = ? AND id = ?");
  if (!st)
    return st.error();
  impl_->counters.forget();
  if (auto err = st->bind(1, static_cast<int64_t>(db_number)).bind(2, id).run())
    return err;
  return impl_->db.changes() > 0;
}

} // namespace bulkd::emulator::cosmos
