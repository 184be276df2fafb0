#include "jobs/bulk_upsert/settled_watermark.hpp"

#include <algorithm>

namespace bulkd {

settled_watermark::settled_watermark(resume_point from) : from_(from) {}

bool settled_watermark::hand_out(const input_position& at) {
  if (at.end < at.begin || at.begin < from_.offset)
    return false;
  if (any_handed_out_) {
    const auto& prev = last_handed_out_;
    if (at.file != prev.file || at.begin < prev.end || at.begin <= prev.begin)
      return false;
  }
  pending_.push_back(entry{at, false});
  ++outstanding_;
  last_handed_out_ = at;
  any_handed_out_ = true;
  return true;
}

bool settled_watermark::settle(const input_position& at) {
  auto i = std::lower_bound(pending_.begin(), pending_.end(), at.begin,
                            [](const entry& e, uint64_t begin) { return e.at.begin < begin; });
  if (i == pending_.end() || !(i->at == at) || i->settled)
    return false;
  i->settled = true;
  --outstanding_;
  while (!pending_.empty() && pending_.front().settled) {
    last_settled_ = pending_.front().at;
    any_settled_ = true;
    pending_.pop_front();
  }
  return true;
}

resume_point settled_watermark::settled() const {
  if (!any_settled_)
    return from_;
  // Between the last settled record and the next handed-out one there are no records (rejected
  // ones are handed out too, or dead-lettered before), so the next one's start is exact.
  if (!pending_.empty())
    return {pending_.front().at.begin, pending_.front().at.line};
  return {last_settled_.end, 0};
}

size_t settled_watermark::outstanding() const {
  return outstanding_;
}

} // namespace bulkd
