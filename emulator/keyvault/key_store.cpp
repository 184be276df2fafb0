#include "emulator/keyvault/key_store.hpp"

#include "emulator/keyvault/key_identifier.hpp"
#include "emulator/keyvault/key_store_sql.hpp"

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include <mutex>
#include <unordered_map>

namespace bulkd::emulator::keyvault {

namespace {

using json = nlohmann::json;

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS kv_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS kv_key (
  name TEXT PRIMARY KEY COLLATE NOCASE,
  deleted_date INTEGER,
  scheduled_purge_date INTEGER);
CREATE TABLE IF NOT EXISTS kv_key_version (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL COLLATE NOCASE,
  version TEXT NOT NULL COLLATE NOCASE,
  jwk TEXT NOT NULL,
  attributes TEXT NOT NULL,
  tags TEXT NOT NULL,
  key_ops TEXT NOT NULL,
  managed INTEGER NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  UNIQUE (name, version));
)sql";

// Columns every version query selects, in this order.
#define KV_VERSION_COLUMNS                                                                         \
  "v.seq, k.name, v.version, v.jwk, v.attributes, v.tags, v.key_ops, v.managed"

caf::error not_found(std::string_view what, std::string_view name) {
  return make_error(ec::not_found, std::string{what} + " " + std::string{name});
}

// Stored JWKs decoded before, by their text. Importing a JWK checks the private parts against
// the public ones (for RSA a few big-number operations, ~1 ms): done on every read under the
// store's lock, that made the emulator serve one key read at a time. Key material never
// changes, so the text decides.
class material_cache {
public:
  caf::expected<key_material> get(const std::string& jwk_text) {
    {
      std::lock_guard guard{mutex_};
      if (auto i = entries_.find(jwk_text); i != entries_.end())
        return i->second;
    }
    auto key = key_material::from_jwk(json::parse(jwk_text));
    if (!key)
      return key;
    std::lock_guard guard{mutex_};
    if (entries_.size() >= max_entries)
      entries_.clear();
    entries_.emplace(jwk_text, *key);
    return key;
  }

private:
  static constexpr size_t max_entries = 20000;
  std::mutex mutex_;
  std::unordered_map<std::string, key_material> entries_;
};

material_cache& decoded_keys() {
  static material_cache cache;
  return cache;
}

caf::expected<key_record> read_version(const sql::statement& row) {
  key_record out;
  out.name = row.text(1);
  auto& v = out.version;
  v.version = row.text(2);
  try {
    auto key = decoded_keys().get(row.text(3));
    if (!key)
      return key.error();
    v.key = std::move(*key);
    auto attributes = parse_key_attributes(json::parse(row.text(4)));
    if (!attributes)
      return attributes.error();
    v.attributes = *attributes;
    v.tags = json::parse(row.text(5)).get<std::map<std::string, std::string>>();
    v.key_ops = json::parse(row.text(6)).get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    return make_error(ec::parse_error, std::string{"stored key version: "} + e.what());
  }
  v.managed = row.integer(7) != 0;
  return out;
}

caf::error insert_version(sqlite3* db, std::string_view name, const key_version_backup& v) {
  sql::statement ins{db, "INSERT INTO kv_key_version (name, version, jwk, attributes, tags, "
                         "key_ops, managed, created, updated) VALUES (?,?,?,?,?,?,?,?,?)"};
  ins.bind(name, v.version, v.key.private_jwk().dump(), to_json(v.attributes).dump(),
           json(v.tags).dump(), json(v.key_ops).dump(), v.managed, v.attributes.created,
           v.attributes.updated);
  if (auto err = ins.run()) {
    if (sqlite3_errcode(db) == SQLITE_CONSTRAINT)
      return make_error(ec::conflict, "version " + v.version + " already exists");
    return err;
  }
  return {};
}

/// -1: no such key, 0: active, 1: soft-deleted. Fills `stored_name` when present.
caf::expected<int> key_state(sqlite3* db, std::string_view name, std::string* stored_name) {
  sql::statement q{db, "SELECT name, deleted_date IS NOT NULL FROM kv_key WHERE name = ?"};
  q.bind(name);
  if (!q.step())
    return q.error() ? caf::expected<int>{q.error()} : caf::expected<int>{-1};
  if (stored_name)
    *stored_name = q.text(0);
  return static_cast<int>(q.integer(1));
}

caf::expected<key_record> latest_version(sqlite3* db, std::string_view name) {
  sql::statement q{db, "SELECT " KV_VERSION_COLUMNS " FROM kv_key_version v JOIN kv_key k ON "
                       "k.name = v.name WHERE v.name = ? ORDER BY v.seq DESC LIMIT 1"};
  q.bind(name);
  if (!q.step())
    return q.error() ? q.error() : not_found("key", name);
  return read_version(q);
}

caf::expected<deleted_key_record> read_deleted(sqlite3* db, std::string_view name) {
  sql::statement q{db, "SELECT deleted_date, scheduled_purge_date FROM kv_key WHERE name = ? AND "
                       "deleted_date IS NOT NULL"};
  q.bind(name);
  if (!q.step())
    return q.error() ? q.error() : not_found("deleted key", name);
  deleted_key_record out;
  out.deleted_date = q.integer(0);
  out.scheduled_purge_date = q.integer(1);
  auto latest = latest_version(db, name);
  if (!latest)
    return latest.error();
  out.latest = std::move(*latest);
  return out;
}

caf::error delete_key_rows(sqlite3* db, std::string_view name) {
  sql::statement versions{db, "DELETE FROM kv_key_version WHERE name = ?"};
  if (auto err = versions.bind(name).run())
    return err;
  sql::statement key{db, "DELETE FROM kv_key WHERE name = ?"};
  return key.bind(name).run();
}

/// One page of live (or soft-deleted) keys in name order after `after_name`, each read by `read`.
template <class Record, class Read>
caf::expected<key_page<Record>> page_by_name(sqlite3* db, bool deleted, std::string_view after_name,
                                             size_t limit, Read read) {
  sql::statement q{db, deleted ? "SELECT name FROM kv_key WHERE deleted_date IS NOT NULL AND "
                                 "name > ? ORDER BY name LIMIT ?"
                               : "SELECT name FROM kv_key WHERE deleted_date IS NULL AND name > ? "
                                 "ORDER BY name LIMIT ?"};
  q.bind(after_name, static_cast<int64_t>(limit) + 1);
  std::vector<std::string> names;
  while (q.step())
    names.push_back(q.text(0));
  if (q.error())
    return q.error();
  key_page<Record> out;
  out.more = names.size() > limit;
  if (out.more)
    names.pop_back();
  for (auto& name : names) {
    auto record = read(db, name);
    if (!record)
      return record.error();
    out.items.push_back(std::move(*record));
  }
  return out;
}

} // namespace

caf::expected<std::unique_ptr<key_store>> key_store::open(const std::string& path) {
  sqlite3* db = nullptr;
  auto flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    auto err = make_error(ec::io_error, "cannot open key store " + path + ": " +
                                            (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return err;
  }
  std::unique_ptr<key_store> store{new key_store(db)};
  sqlite3_busy_timeout(db, 5000);
  if (path != ":memory:")
    if (auto err = sql::exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"))
      return err;
  if (auto err = sql::exec(db, schema))
    return err;
  sql::statement get{db, "SELECT value FROM kv_meta WHERE name = 'backup_secret'"};
  if (get.step()) {
    store->secret_ = get.text(0);
  } else if (get.error()) {
    return get.error();
  } else {
    std::string secret(backup_secret_size, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                   static_cast<int>(secret.size())) != 1)
      return make_error(ec::unspecified, "RAND_bytes failed");
    sql::statement put{db, "INSERT INTO kv_meta (name, value) VALUES ('backup_secret', ?)"};
    if (auto err = put.bind(secret).run())
      return err;
    store->secret_ = std::move(secret);
  }
  if (store->secret_.size() != backup_secret_size)
    return make_error(ec::parse_error, "key store " + path + " holds a damaged backup secret");
  return store;
}

key_store::~key_store() {
  sqlite3_close(db_);
}

caf::expected<key_record> key_store::add_version(std::string_view name,
                                                 const key_version_backup& version) {
  if (!is_valid_key_name(name))
    return make_error(ec::invalid_argument, "invalid key name '" + std::string{name} + "'");
  if (!version.key.has_private())
    return make_error(ec::invalid_argument, "a stored key needs its private material");
  std::lock_guard guard{mutex_};
  sql::transaction tx{db_};
  if (tx.error())
    return tx.error();
  std::string stored;
  auto state = key_state(db_, name, &stored);
  if (!state)
    return state.error();
  if (*state == 1)
    return make_error(ec::conflict, "key " + stored + " is soft-deleted");
  if (*state == -1) {
    sql::statement ins{db_, "INSERT INTO kv_key (name) VALUES (?)"};
    if (auto err = ins.bind(name).run())
      return err;
    stored = std::string{name};
  }
  if (auto err = insert_version(db_, stored, version))
    return err;
  if (auto err = tx.commit())
    return err;
  return key_record{stored, version};
}

caf::expected<key_record> key_store::latest(std::string_view name) const {
  std::lock_guard guard{mutex_};
  auto state = key_state(db_, name, nullptr);
  if (!state)
    return state.error();
  if (*state != 0)
    return not_found("key", name);
  return latest_version(db_, name);
}

caf::expected<key_record> key_store::get(std::string_view name, std::string_view version) const {
  std::lock_guard guard{mutex_};
  sql::statement q{db_, "SELECT " KV_VERSION_COLUMNS " FROM kv_key_version v JOIN kv_key k ON "
                        "k.name = v.name WHERE v.name = ? AND v.version = ? AND "
                        "k.deleted_date IS NULL"};
  q.bind(name, version);
  if (!q.step())
    return q.error() ? q.error()
                     : not_found("key version", std::string{name} + "/" + std::string{version});
  return read_version(q);
}

caf::expected<key_record>
key_store::update(std::string_view name, std::string_view version,
                  const std::function<caf::error(key_version_backup&)>& change) {
  std::lock_guard guard{mutex_};
  sql::transaction tx{db_};
  if (tx.error())
    return tx.error();
  auto state = key_state(db_, name, nullptr);
  if (!state)
    return state.error();
  if (*state != 0)
    return not_found("key", name);
  auto find = [&]() -> caf::expected<key_record> {
    if (version.empty())
      return latest_version(db_, name);
    sql::statement q{db_, "SELECT " KV_VERSION_COLUMNS " FROM kv_key_version v JOIN kv_key k ON "
                          "k.name = v.name WHERE v.name = ? AND v.version = ?"};
    q.bind(name, version);
    if (q.step())
      return read_version(q);
    return q.error() ? q.error()
                     : not_found("key version", std::string{name} + "/" + std::string{version});
  };
  auto current = find();
  if (!current)
    return current.error();
  if (auto err = change(current->version))
    return err;
  auto& v = current->version;
  sql::statement up{db_, "UPDATE kv_key_version SET attributes = ?, tags = ?, key_ops = ?, "
                         "updated = ? WHERE name = ? AND version = ?"};
  up.bind(to_json(v.attributes).dump(), json(v.tags).dump(), json(v.key_ops).dump(),
          v.attributes.updated, name, v.version);
  if (auto err = up.run())
    return err;
  if (auto err = tx.commit())
    return err;
  return current;
}

caf::expected<key_page<key_record>> key_store::list_keys(std::string_view after_name,
                                                         size_t limit) const {
  std::lock_guard guard{mutex_};
  return page_by_name<key_record>(db_, false, after_name, limit, latest_version);
}

caf::expected<key_page<key_record>> key_store::list_versions(std::string_view name,
                                                             int64_t after_seq, size_t limit,
                                                             int64_t* seq_out) const {
  std::lock_guard guard{mutex_};
  auto state = key_state(db_, name, nullptr);
  if (!state)
    return state.error();
  if (*state != 0)
    return not_found("key", name);
  sql::statement q{db_, "SELECT " KV_VERSION_COLUMNS " FROM kv_key_version v JOIN kv_key k ON "
                        "k.name = v.name WHERE v.name = ? AND v.seq > ? ORDER BY v.seq LIMIT ?"};
  q.bind(name, after_seq, static_cast<int64_t>(limit) + 1);
  key_page<key_record> out;
  while (q.step()) {
    if (out.items.size() == limit) {
      out.more = true;
      break;
    }
    auto record = read_version(q);
    if (!record)
      return record.error();
    out.items.push_back(std::move(*record));
    if (seq_out)
      *seq_out = q.integer(0);
  }
  if (q.error())
    return q.error();
  return out;
}

caf::expected<deleted_key_record> key_store::soft_delete(std::string_view name, int64_t now,
                                                         int64_t recoverable_days) {
  std::lock_guard guard{mutex_};
  sql::statement up{db_, "UPDATE kv_key SET deleted_date = ?, scheduled_purge_date = ? WHERE "
                         "name = ? AND deleted_date IS NULL"};
  if (auto err = up.bind(now, now + recoverable_days * 86400, name).run())
    return err;
  if (sqlite3_changes(db_) == 0)
    return not_found("key", name);
  return read_deleted(db_, name);
}

caf::expected<deleted_key_record> key_store::get_deleted(std::string_view name) const {
  std::lock_guard guard{mutex_};
  return read_deleted(db_, name);
}

caf::expected<key_page<deleted_key_record>> key_store::list_deleted(std::string_view after_name,
                                                                    size_t limit) const {
  std::lock_guard guard{mutex_};
  return page_by_name<deleted_key_record>(db_, true, after_name, limit, read_deleted);
}

caf::expected<key_record> key_store::recover(std::string_view name) {
  std::lock_guard guard{mutex_};
  sql::statement up{db_, "UPDATE kv_key SET deleted_date = NULL, scheduled_purge_date = NULL "
                         "WHERE name = ? AND deleted_date IS NOT NULL"};
  if (auto err = up.bind(name).run())
    return err;
  if (sqlite3_changes(db_) == 0)
    return not_found("deleted key", name);
  return latest_version(db_, name);
}

caf::error key_store::purge(std::string_view name) {
  std::lock_guard guard{mutex_};
  sql::transaction tx{db_};
  if (tx.error())
    return tx.error();
  auto state = key_state(db_, name, nullptr);
  if (!state)
    return state.error();
  if (*state != 1)
    return not_found("deleted key", name);
  if (auto err = delete_key_rows(db_, name))
    return err;
  return tx.commit();
}

caf::expected<size_t> key_store::purge_expired(int64_t now) {
  std::lock_guard guard{mutex_};
  sql::transaction tx{db_};
  if (tx.error())
    return tx.error();
  sql::statement q{db_, "SELECT name FROM kv_key WHERE scheduled_purge_date <= ?"};
  q.bind(now);
  std::vector<std::string> names;
  while (q.step())
    names.push_back(q.text(0));
  if (q.error())
    return q.error();
  for (auto& name : names)
    if (auto err = delete_key_rows(db_, name))
      return err;
  if (auto err = tx.commit())
    return err;
  return names.size();
}

caf::expected<key_backup> key_store::backup(std::string_view name) const {
  std::lock_guard guard{mutex_};
  std::string stored;
  auto state = key_state(db_, name, &stored);
  if (!state)
    return state.error();
  if (*state != 0)
    return not_found("key", name);
  sql::statement q{db_, "SELECT " KV_VERSION_COLUMNS " FROM kv_key_version v JOIN kv_key k ON "
                        "k.name = v.name WHERE v.name = ? ORDER BY v.seq"};
  q.bind(name);
  key_backup out;
  out.name = stored;
  while (q.step()) {
    auto record = read_version(q);
    if (!record)
      return record.error();
    out.versions.push_back(std::move(record->version));
  }
  if (q.error())
    return q.error();
  return out;
}

caf::expected<key_record> key_store::restore(const key_backup& backup) {
  if (!is_valid_key_name(backup.name) || backup.versions.empty())
    return make_error(ec::invalid_argument, "a restored key needs a valid name and versions");
  std::lock_guard guard{mutex_};
  sql::transaction tx{db_};
  if (tx.error())
    return tx.error();
  std::string stored;
  auto state = key_state(db_, backup.name, &stored);
  if (!state)
    return state.error();
  if (*state == 0)
    return make_error(ec::conflict, "key " + stored + " already exists");
  if (*state == 1)
    return make_error(ec::conflict, "key " + stored + " is soft-deleted");
  sql::statement ins{db_, "INSERT INTO kv_key (name) VALUES (?)"};
  if (auto err = ins.bind(backup.name).run())
    return err;
  for (auto& v : backup.versions)
    if (auto err = insert_version(db_, backup.name, v))
      return err;
  if (auto err = tx.commit())
    return err;
  return key_record{backup.name, backup.versions.back()};
}

} // namespace bulkd::emulator::keyvault
