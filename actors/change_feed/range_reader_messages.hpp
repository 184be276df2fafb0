#pragma once

// What a change-feed range reader and its parent (the job actor that owns the range's lease)
// say to each other. The parent is a dynamically typed caf::actor.
//
// reader -> parent, a request, after the sink acked a batch (or the parent said skip):
//   (feed_checkpoint_atom, range_checkpoint) -> caf::ok_atom
//       answer once the continuation is stored (lease checkpoint). The reader has at most one
//       checkpoint in flight; it may read the next page meanwhile, but delivers nothing, and
//       reports nothing else, before the answer. An error answer (e.g. the lease was lost) makes
//       the reader quit with that error.
//
// reader -> parent, a request, when the sink answered a batch with an error:
//   (feed_sink_failed_atom, change_batch, caf::error) -> caf::atom_value
//       answer feed_skip_atom::value (the parent dead-lettered the batch: the reader checkpoints
//       it as skipped and reads on) or feed_stop_atom::value (the reader quits with the sink's
//       error). Anything else, or an error answer, makes the reader quit with an error.
//
// reader -> parent, a message, then the reader quits normally:
//   (feed_gone_atom, range_gone)
//       410/1002 or 410/1007: the range was split or merged. The continuation is where the
//       successors go on from: the last checkpoint's (answered before the gone is sent), or a
//       later etag of a 304 (nothing changed in between); empty = the reader never had a
//       position, the successors start where start_from says.
//
// anyone -> reader:
//   (feed_lag_atom) -> range_lag
//       the range's lag now (jobs/change_feed/range_lag.hpp); unknown before the first
//       checkpoint.

#include "jobs/change_feed/change_batch.hpp"
#include "jobs/change_feed/range_lag.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace bulkd {

using feed_checkpoint_atom = caf::atom_constant<caf::atom("cf_ckpt")>;
using feed_sink_failed_atom = caf::atom_constant<caf::atom("cf_sinkerr")>;
using feed_skip_atom = caf::atom_constant<caf::atom("cf_skip")>;
using feed_stop_atom = caf::atom_constant<caf::atom("cf_stop")>;
using feed_gone_atom = caf::atom_constant<caf::atom("cf_gone")>;
using feed_lag_atom = caf::atom_constant<caf::atom("cf_lag")>;

/// A position of one range that the parent stores (lease checkpoint).
struct range_checkpoint {
  std::string range_id;
  /// The etag to continue from (If-None-Match of the next read).
  std::string continuation;
  /// The range's LSN when the page was read, and "_ts" of its last change (lag).
  std::optional<int64_t> session_lsn;
  std::optional<int64_t> last_ts;
  /// Changes in the batch; 0 for a position without changes (see range_reader_actor.hpp).
  uint64_t documents = 0;
  /// The batch's change_batch::sequence; 0 for a position without changes.
  uint64_t sequence = 0;
  /// The sink failed the batch and the parent said skip (dead-lettered, not delivered).
  bool skipped = false;

  friend bool operator==(const range_checkpoint&, const range_checkpoint&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, range_checkpoint& x) {
  return f(caf::meta::type_name("range_checkpoint"), x.range_id, x.continuation, x.session_lsn,
           x.last_ts, x.documents, x.sequence, x.skipped);
}

/// A range that is gone (split or merged) and where its successors continue.
struct range_gone {
  std::string range_id;
  std::string continuation;
  int substatus = 0; // 1002 (PartitionKeyRangeGone) or 1007 (CompletingSplit)
  std::string reason;

  friend bool operator==(const range_gone&, const range_gone&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, range_gone& x) {
  return f(caf::meta::type_name("range_gone"), x.range_id, x.continuation, x.substatus, x.reason);
}

} // namespace bulkd
