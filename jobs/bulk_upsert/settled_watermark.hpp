#pragma once

// The resume point of one input file. Records are handed out in file order and settle (written or
// dead-lettered) in any order; settled() is the end of the longest prefix of handed-out records
// that have all settled, which is where a rerun may start without losing a record.
//
// Records a reader rejects must be handed out and settled too (settle them once they are in the
// dead-letter file), or at least dead-lettered before a checkpoint covers them.

#include "jobs/bulk_upsert/input_record.hpp"
#include "jobs/bulk_upsert/record_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>

namespace bulkd {

class settled_watermark {
public:
  explicit settled_watermark(resume_point from = {});

  /// Hands out the next record of the file. Returns false (and ignores it) when it does not follow
  /// the previous one (begins before the previous end or before the resume point), or belongs to
  /// another file than the earlier ones.
  bool hand_out(const input_position& at);

  /// Settles a handed-out record, in any order. Returns false (and ignores it) for a record that
  /// was not handed out or has settled already.
  bool settle(const input_position& at);

  /// {offset, line} to resume from. With a record outstanding, that is where the first unsettled
  /// record begins (and its line); with none, the end of the last settled record and line 0 (the
  /// reader counts it: a record may span lines). Nothing settled yet: the resume point given.
  resume_point settled() const;

  /// Handed out and not yet settled.
  size_t outstanding() const;

  /// Whether every handed-out record has settled.
  bool idle() const { return outstanding() == 0; }

private:
  struct entry {
    input_position at;
    bool settled = false;
  };
  // Handed-out records from the first unsettled one on, in file order (begin offsets ascending).
  std::deque<entry> pending_;
  size_t outstanding_ = 0;
  resume_point from_;
  bool any_settled_ = false; // whether last_settled_ is meaningful
  input_position last_settled_;
  bool any_handed_out_ = false;
  input_position last_handed_out_;
};

} // namespace bulkd
