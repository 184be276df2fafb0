#include "clients/cosmos/epk_range.hpp"
#include "clients/error.hpp"
#include "emulator/cosmos/store.hpp"
#include "emulator/cosmos/store_impl.hpp"

namespace bulkd::emulator::cosmos {

namespace {

constexpr const char* select_document =
    "SELECT id, pk, range_id, epk, number, body, etag, ts, lsn FROM documents "
    "WHERE container = ? AND pk = ? AND id = ?";

document_record read_document_row(const sqlite_statement& st) {
  return {st.text(0), st.text(1), st.text(2),  st.text(3), static_cast<uint64_t>(st.int64(4)),
          st.text(5), st.text(6), st.int64(7), st.int64(8)};
}

// The online range of the container holding `epk`.
caf::expected<std::string> online_range_for(sqlite_connection& db, int64_t container,
                                            const std::string& epk) {
  auto st = db.prepare("SELECT id, min_epk, max_epk FROM ranges "
                       "WHERE container = ? AND status = 'online'");
  if (!st)
    return st.error();
  st->bind(1, container);
  std::string found;
  for (;;) {
    auto row = st->step();
    if (!row) {
      st->reset();
      return row.error();
    }
    if (!*row)
      break;
    if (found.empty() && bulkd::cosmos::epk_range{st->text(1), st->text(2)}.contains(epk))
      found = st->text(0);
  }
  st->reset();
  if (found.empty())
    return make_error(ec::not_found, "no partition key range holds the EPK " + epk);
  return found;
}

// The next LSN of online range `range_id`. When that range was split after the caller routed the
// write (it read the container before the split), the write goes to the child holding `epk` and
// `range_id` names it.
caf::expected<int64_t> next_lsn(store::impl& s, int64_t container, std::string& range_id,
                                const std::string& epk) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto lsn = s.counters.next_lsn(s.db, container, range_id);
    if (!lsn)
      return lsn.error();
    if (*lsn)
      return **lsn;
    auto current = online_range_for(s.db, container, epk);
    if (!current)
      return current.error();
    range_id = std::move(*current);
  }
  return make_error(ec::not_found, "no partition key range '" + range_id + "'");
}

} // namespace

caf::expected<std::optional<document_record>> find_document(sqlite_connection& db,
                                                            int64_t container,
                                                            const std::string& pk,
                                                            const std::string& id) {
  auto st = db.prepare(select_document);
  if (!st)
    return st.error();
  auto row = st->bind(1, container).bind(2, pk).bind(3, id).step();
  if (!row)
    return row.error();
  std::optional<document_record> out;
  if (*row)
    out = read_document_row(*st);
  st->reset();
  return out;
}

caf::expected<document_read> store::read_document(int64_t container, const std::string& range_id,
                                                  const std::string& pk, const std::string& id) {
  std::lock_guard guard{impl_->mutex};
  document_read out;
  auto doc = find_document(impl_->db, container, pk, id);
  if (!doc)
    return doc.error();
  out.doc = std::move(*doc);
  auto lsn = impl_->counters.lsn(impl_->db, container, range_id);
  if (!lsn)
    return lsn.error();
  out.range_lsn = *lsn;
  return out;
}

caf::expected<write_outcome> store::write_document(const document_write& w) {
  std::lock_guard guard{impl_->mutex};
  store_write tx{*impl_};
  if (auto err = tx.begin())
    return err;
  auto out = apply_write(*impl_, w);
  if (!out || out->status >= 400)
    return out;
  if (auto err = tx.commit())
    return err;
  return out;
}

caf::expected<write_outcome> apply_write(store::impl& s, const document_write& w) {
  auto& db = s.db;
  auto existing = find_document(db, w.container, w.pk, w.id);
  if (!existing)
    return existing.error();
  write_outcome out;
  auto fail = [&](int status) -> caf::expected<write_outcome> {
    out.status = status;
    auto lsn = s.counters.lsn(db, w.container, w.range_id);
    if (!lsn)
      return lsn.error();
    out.range_lsn = *lsn;
    return out;
  };
  bool exists = existing->has_value();
  switch (w.mode) {
  case write_mode::create:
    if (exists)
      return fail(409);
    break;
  case write_mode::replace:
  case write_mode::remove:
    if (!exists)
      return fail(404);
    break;
  case write_mode::upsert:
    break;
  }
  // If-Match only applies to an existing document (an upsert that creates ignores it).
  if (exists && w.if_match && *w.if_match != "*" && *w.if_match != (*existing)->etag)
    return fail(412);
  auto range_id = w.range_id;
  auto lsn = next_lsn(s, w.container, range_id, w.epk);
  if (!lsn)
    return lsn.error();
  auto ts = now_seconds();
  if (w.mode == write_mode::remove) {
    auto del = db.prepare("DELETE FROM documents WHERE container = ? AND pk = ? AND id = ?");
    if (!del)
      return del.error();
    if (auto err = del->bind(1, w.container).bind(2, w.pk).bind(3, w.id).run())
      return err;
    out.status = 204;
    out.doc = std::move(**existing);
  } else {
    auto etag = s.next_etag(ts);
    if (!etag)
      return etag.error();
    int64_t number = 0;
    if (exists) {
      number = static_cast<int64_t>((*existing)->number);
    } else {
      auto n = s.counters.next_document_number(db, w.container);
      if (!n)
        return n.error();
      number = *n;
    }
    auto put = db.prepare("INSERT OR REPLACE INTO documents(container, pk, id, range_id, epk, "
                          "number, body, etag, ts, lsn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!put)
      return put.error();
    put->bind(1, w.container).bind(2, w.pk).bind(3, w.id).bind(4, range_id).bind(5, w.epk);
    put->bind(6, number).bind_static(7, w.body).bind(8, *etag).bind(9, ts).bind(10, *lsn);
    auto err = put->run();
    put->reset(); // drops the binding of w.body
    if (err)
      return err;
    out.status = exists ? 200 : 201;
    out.doc = {w.id, w.pk, range_id, w.epk, static_cast<uint64_t>(number), w.body, *etag, ts, *lsn};
  }
  out.range_lsn = *lsn;
  return out;
}

} // namespace bulkd::emulator::cosmos
