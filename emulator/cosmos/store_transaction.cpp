#include "emulator/cosmos/store.hpp"
#include "emulator/cosmos/store_impl.hpp"

namespace bulkd::emulator::cosmos {

caf::expected<std::optional<document_record>>
document_transaction::read(int64_t container, const std::string& pk, const std::string& id) {
  return find_document(owner_.impl_->db, container, pk, id);
}

caf::expected<write_outcome> document_transaction::write(const document_write& write) {
  return apply_write(*owner_.impl_, write);
}

caf::expected<bool>
store::transact(const std::function<caf::expected<bool>(document_transaction&)>& body) {
  std::lock_guard guard{impl_->mutex};
  store_write tx{*impl_};
  if (auto err = tx.begin())
    return err;
  document_transaction session{*this};
  auto keep = body(session);
  if (!keep || !*keep)
    return keep; // the transaction's destructor rolls back
  if (auto err = tx.commit())
    return err;
  return true;
}

caf::expected<std::vector<document_record>>
store::query_documents(int64_t container, const std::optional<std::string>& range_id,
                       const std::optional<std::string>& pk) {
  std::lock_guard guard{impl_->mutex};
  std::string sql = "SELECT id, pk, range_id, epk, number, body, etag, ts, lsn FROM documents "
                    "WHERE container = ?";
  if (range_id)
    sql += " AND range_id = ?";
  if (pk)
    sql += " AND pk = ?";
  sql += " ORDER BY range_id, epk, id";
  auto st = impl_->db.prepare(sql);
  if (!st)
    return st.error();
  int index = 1;
  st->bind(index++, container);
  if (range_id)
    st->bind(index++, *range_id);
  if (pk)
    st->bind(index++, *pk);
  std::vector<document_record> out;
  for (;;) {
    auto row = st->step();
    if (!row) {
      st->reset();
      return row.error();
    }
    if (!*row)
      break;
    out.push_back({st->text(0), st->text(1), st->text(2), st->text(3),
                   static_cast<uint64_t>(st->int64(4)), st->text(5), st->text(6), st->int64(7),
                   st->int64(8)});
  }
  st->reset();
  return out;
}

} // namespace bulkd::emulator::cosmos
