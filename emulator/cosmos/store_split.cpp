#include "clients/cosmos/epk_range.hpp"
#include "clients/error.hpp"
#include "emulator/cosmos/store.hpp"
#include "emulator/cosmos/store_impl.hpp"

#include <algorithm>

namespace bulkd::emulator::cosmos {

namespace {

struct range_row {
  std::string id;
  std::string min;
  std::string max;
  std::string parents; // comma-separated
  int64_t lsn = 0;
  std::string status;
};

caf::expected<std::optional<range_row>> find_range_row(sqlite_connection& db, int64_t container,
                                                       const std::string& id) {
  auto st = db.prepare("SELECT id, min_epk, max_epk, parents, lsn, status FROM ranges "
                       "WHERE container = ? AND id = ?");
  if (!st)
    return st.error();
  auto row = st->bind(1, container).bind(2, id).step();
  if (!row)
    return row.error();
  std::optional<range_row> out;
  if (*row)
    out = range_row{st->text(0), st->text(1), st->text(2), st->text(3), st->int64(4), st->text(5)};
  st->reset();
  return out;
}

bool lists_parent(const range_record& r, const std::string& id) {
  return std::find(r.parents.begin(), r.parents.end(), id) != r.parents.end();
}

} // namespace

caf::expected<split_outcome> store::split_range(int64_t container, const std::string& range_id,
                                                const std::string& at) {
  std::lock_guard guard{impl_->mutex};
  auto& db = impl_->db;
  // The ranges change: the counters reload afterwards (they hold nothing unwritten here).
  impl_->counters.forget();
  store_write tx{*impl_};
  if (auto err = tx.begin())
    return err;
  split_outcome out;
  auto parent = find_range_row(db, container, range_id);
  if (!parent)
    return parent.error();
  if (!*parent) {
    out.status = 404;
    return out;
  }
  auto& p = **parent;
  out.parent.id = p.id;
  out.parent.min = p.min;
  out.parent.max = p.max;
  out.parent.lsn = p.lsn;
  if (p.status != "online") {
    auto current = load_ranges(container);
    if (!current)
      return current.error();
    out.status = 410;
    for (auto& r : *current)
      if (lists_parent(r, p.id))
        out.children.push_back(std::move(r));
    return out;
  }
  if (bulkd::cosmos::compare_epk(p.min, at) >= 0 || bulkd::cosmos::compare_epk(at, p.max) >= 0) {
    out.status = 400;
    return out;
  }
  auto counters = db.prepare("UPDATE containers SET next_range = next_range + 2, "
                             "topology = topology + 1 WHERE key = ? "
                             "RETURNING next_range - 2, topology");
  if (!counters)
    return counters.error();
  auto row = counters->bind(1, container).step();
  if (!row)
    return row.error();
  if (!*row)
    return make_error(ec::not_found, "the container was deleted");
  auto first_id = counters->int64(0);
  out.topology = counters->int64(1);
  counters->reset();
  auto parents = p.parents.empty() ? p.id : p.parents + "," + p.id;
  auto ts = now_seconds();
  std::pair<std::string, std::string> bounds[2] = {{p.min, at}, {at, p.max}};
  std::string child_ids[2];
  for (int i = 0; i < 2; ++i) {
    auto etag = impl_->next_etag(ts);
    if (!etag)
      return etag.error();
    auto id = first_id + i;
    child_ids[i] = std::to_string(id);
    auto ins = db.prepare("INSERT INTO ranges(container, id, number, min_epk, max_epk, parents, "
                          "lsn, etag, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!ins)
      return ins.error();
    ins->bind(1, container).bind(2, child_ids[i]).bind(3, id + 1).bind(4, bounds[i].first);
    ins->bind(5, bounds[i].second).bind(6, parents).bind(7, p.lsn).bind(8, *etag).bind(9, ts);
    if (auto err = ins->run())
      return err;
  }
  auto gone = db.prepare("UPDATE ranges SET status = 'split' WHERE container = ? AND id = ?");
  if (!gone)
    return gone.error();
  if (auto err = gone->bind(1, container).bind(2, p.id).run())
    return err;
  // Each document goes to the child holding its EPK. compare_epk rather than SQL's text order:
  // the two differ on trailing zeros (V1 and MultiHash bounds).
  std::vector<std::pair<std::string, std::string>> upper_docs; // (pk, id)
  out.moved = {0, 0};
  {
    auto docs =
        db.prepare("SELECT pk, id, epk FROM documents WHERE container = ? AND range_id = ?");
    if (!docs)
      return docs.error();
    docs->bind(1, container).bind(2, p.id);
    for (;;) {
      auto next = docs->step();
      if (!next) {
        docs->reset();
        return next.error();
      }
      if (!*next)
        break;
      if (bulkd::cosmos::compare_epk(docs->text(2), at) >= 0) {
        upper_docs.emplace_back(docs->text(0), docs->text(1));
        ++out.moved[1];
      } else {
        ++out.moved[0];
      }
    }
    docs->reset();
  }
  auto lower = db.prepare("UPDATE documents SET range_id = ? WHERE container = ? AND range_id = ?");
  if (!lower)
    return lower.error();
  if (auto err = lower->bind(1, child_ids[0]).bind(2, container).bind(3, p.id).run())
    return err;
  for (const auto& [pk, id] : upper_docs) {
    auto move =
        db.prepare("UPDATE documents SET range_id = ? WHERE container = ? AND pk = ? AND id = ?");
    if (!move)
      return move.error();
    if (auto err = move->bind(1, child_ids[1]).bind(2, container).bind(3, pk).bind(4, id).run())
      return err;
  }
  auto current = load_ranges(container);
  if (!current)
    return current.error();
  for (auto& r : *current)
    if (r.id == child_ids[0] || r.id == child_ids[1])
      out.children.push_back(std::move(r));
  if (auto err = tx.commit())
    return err;
  impl_->counters.forget();
  out.status = 200;
  return out;
}

} // namespace bulkd::emulator::cosmos
