#include "clients/error.hpp"
#include "emulator/cosmos/store.hpp"
#include "emulator/cosmos/store_impl.hpp"

namespace bulkd::emulator::cosmos {

caf::expected<scan_page> store::scan_documents(const document_scan& scan) {
  // The statement text depends only on which filters are present, so the cache keeps a handful.
  std::string sql = "SELECT id, pk, range_id, epk, number, body, etag, ts, lsn FROM documents "
                    "WHERE container = ?";
  std::string order = scan.by_lsn ? "lsn" : "number";
  sql += " AND " + order + " > ?";
  if (!scan.range_id.empty())
    sql += " AND range_id = ?";
  if (scan.pk)
    sql += " AND pk = ?";
  if (!scan.epk_min.empty())
    sql += " AND epk >= ?";
  if (!scan.epk_max.empty())
    sql += " AND epk < ?";
  if (scan.since_ts > 0)
    sql += " AND ts >= ?";
  sql += " ORDER BY " + order + " LIMIT ?";
  std::lock_guard guard{impl_->mutex};
  auto& db = impl_->db;
  // Both reads in one transaction: the range LSN must not move between them.
  store_write tx{*impl_};
  if (auto err = tx.begin())
    return err;
  auto st = db.prepare(sql);
  if (!st)
    return st.error();
  int index = 1;
  st->bind(index++, scan.container);
  st->bind(index++, scan.after);
  if (!scan.range_id.empty())
    st->bind(index++, scan.range_id);
  if (scan.pk)
    st->bind(index++, *scan.pk);
  if (!scan.epk_min.empty())
    st->bind(index++, scan.epk_min);
  if (!scan.epk_max.empty())
    st->bind(index++, scan.epk_max);
  if (scan.since_ts > 0)
    st->bind(index++, scan.since_ts);
  st->bind(index++, static_cast<int64_t>(scan.limit + 1));
  scan_page out;
  for (;;) {
    auto row = st->step();
    if (!row) {
      st->reset();
      return row.error();
    }
    if (!*row)
      break;
    if (out.docs.size() == scan.limit) {
      out.more = !out.docs.empty();
      break;
    }
    out.docs.push_back({st->text(0), st->text(1), st->text(2), st->text(3),
                        static_cast<uint64_t>(st->int64(4)), st->text(5), st->text(6), st->int64(7),
                        st->int64(8)});
  }
  st->reset();
  if (!scan.range_id.empty()) {
    auto lsn = db.prepare("SELECT lsn, status FROM ranges WHERE container = ? AND id = ?");
    if (!lsn)
      return lsn.error();
    auto row = lsn->bind(1, scan.container).bind(2, scan.range_id).step();
    if (!row)
      return row.error();
    if (!*row) {
      lsn->reset();
      return make_error(ec::not_found, "no partition key range '" + scan.range_id + "'");
    }
    out.range_lsn = lsn->int64(0);
    out.range_gone = lsn->text(1) != "online";
    lsn->reset();
  }
  if (auto err = tx.commit())
    return err;
  return out;
}

} // namespace bulkd::emulator::cosmos
