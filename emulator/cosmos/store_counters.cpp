#include "clients/error.hpp"
#include "emulator/cosmos/store_impl.hpp"

namespace bulkd::emulator::cosmos {

caf::expected<int64_t> store_counters::next_etag(sqlite_connection& db) {
  if (!etag_) {
    auto st = db.prepare("SELECT value FROM meta WHERE key = 'etag'");
    if (!st)
      return st.error();
    auto row = st->step();
    if (!row)
      return row.error();
    int64_t value = *row ? st->int64(0) : 0;
    st->reset();
    if (!*row)
      return make_error(ec::io_error, "sqlite: the meta table has no etag counter");
    etag_ = value;
  }
  etag_dirty_ = any_dirty_ = true;
  return ++*etag_;
}

caf::expected<int64_t> store_counters::next_document_number(sqlite_connection& db,
                                                            int64_t container) {
  auto it = docs_.find(container);
  if (it == docs_.end()) {
    auto st = db.prepare("SELECT next_doc FROM containers WHERE key = ?");
    if (!st)
      return st.error();
    auto row = st->bind(1, container).step();
    if (!row)
      return row.error();
    if (!*row)
      return make_error(ec::not_found, "the container was deleted");
    auto next = st->int64(0);
    st->reset();
    it = docs_.emplace(container, doc_counter{next, false}).first;
  }
  it->second.dirty = any_dirty_ = true;
  return it->second.next++;
}

caf::expected<store_counters::range_counter*>
store_counters::range(sqlite_connection& db, int64_t container, const std::string& range_id) {
  auto key = std::make_pair(container, range_id);
  auto it = ranges_.find(key);
  if (it == ranges_.end()) {
    auto st = db.prepare("SELECT lsn, status FROM ranges WHERE container = ? AND id = ?");
    if (!st)
      return st.error();
    auto row = st->bind(1, container).bind(2, range_id).step();
    if (!row)
      return row.error();
    range_counter r;
    if (*row) {
      r.exists = true;
      r.lsn = st->int64(0);
      r.online = st->text(1) == "online";
    }
    st->reset();
    it = ranges_.emplace(std::move(key), r).first;
  }
  return &it->second;
}

caf::expected<std::optional<int64_t>>
store_counters::next_lsn(sqlite_connection& db, int64_t container, const std::string& range_id) {
  auto r = range(db, container, range_id);
  if (!r)
    return r.error();
  if (!(*r)->online)
    return std::optional<int64_t>{};
  (*r)->dirty = any_dirty_ = true;
  return std::optional<int64_t>{++(*r)->lsn};
}

caf::expected<int64_t> store_counters::lsn(sqlite_connection& db, int64_t container,
                                           const std::string& range_id) {
  auto r = range(db, container, range_id);
  if (!r)
    return r.error();
  if (!(*r)->exists)
    return make_error(ec::not_found, "no partition key range '" + range_id + "'");
  return (*r)->lsn;
}

caf::error store_counters::flush(sqlite_connection& db) {
  if (!any_dirty_)
    return {};
  if (etag_dirty_) {
    auto st = db.prepare("UPDATE meta SET value = ? WHERE key = 'etag'");
    if (!st)
      return st.error();
    if (auto err = st->bind(1, *etag_).run())
      return err;
    etag_dirty_ = false;
  }
  for (auto& [container, c] : docs_) {
    if (!c.dirty)
      continue;
    auto st = db.prepare("UPDATE containers SET next_doc = ? WHERE key = ?");
    if (!st)
      return st.error();
    if (auto err = st->bind(1, c.next).bind(2, container).run())
      return err;
    c.dirty = false;
  }
  for (auto& [key, r] : ranges_) {
    if (!r.dirty)
      continue;
    auto st = db.prepare("UPDATE ranges SET lsn = ? WHERE container = ? AND id = ?");
    if (!st)
      return st.error();
    if (auto err = st->bind(1, r.lsn).bind(2, key.first).bind(3, key.second).run())
      return err;
    r.dirty = false;
  }
  any_dirty_ = false;
  return {};
}

void store_counters::forget() {
  etag_.reset();
  etag_dirty_ = any_dirty_ = false;
  docs_.clear();
  ranges_.clear();
}

store_write::store_write(store::impl& s) : s_(s), tx_(s.db) {}

store_write::~store_write() {
  if (!committed_)
    s_.counters.rolled_back(); // tx_'s destructor rolls back
}

caf::error store_write::begin() {
  return tx_.begin();
}

caf::error store_write::commit() {
  if (auto err = s_.counters.flush(s_.db))
    return err;
  if (auto err = tx_.commit()) {
    s_.counters.forget(); // flushed, but not committed
    return err;
  }
  committed_ = true;
  return {};
}

} // namespace bulkd::emulator::cosmos
