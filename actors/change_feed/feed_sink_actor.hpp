#pragma once

// The interface every change-feed sink implements (jsonl, http, cosmos, exec).
//
//   (sink_deliver_atom, change_batch) -> caf::ok_atom
//
// A sink answers ok_atom only once the batch is durable (jsonl: written and fsynced) or accepted
// (http: a 2xx answer); the range worker checkpoints the batch's continuation only after that.
// A sink retries transient failures itself, within its own retry policy, and answers with an
// error only when it gives up on a batch: the worker then dead-letters the batch or stops, as
// the job's on_failure says. Batches of one range arrive one at a time, in feed order; batches
// of different ranges may interleave.
//
// On an exit message a sink finishes (or abandons) the batch in hand without acknowledging it
// and quits: an unacknowledged batch is read again after a restart.

#include "jobs/change_feed/change_batch.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace bulkd {

using sink_deliver_atom = caf::atom_constant<caf::atom("cf_deliver")>;

using feed_sink_actor =
    caf::typed_actor<caf::replies_to<sink_deliver_atom, change_batch>::with<caf::ok_atom>>;

} // namespace bulkd
