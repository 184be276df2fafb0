#pragma once

// The interface both change-feed lease stores implement (file: one instance, cosmos: many).
// A store acts for one instance (its owner name) of one job (its lease prefix).
//
//   (lease_list_atom) -> std::vector<lease>
//       every lease of the job, ordered by token
//   (lease_create_atom, std::vector<lease_range>, std::string start_from) -> std::vector<lease>
//       creates a free lease for each range that no lease covers yet (missing_ranges: a parent
//       that has not been split yet covers its children), with StartFrom = start_from
//       ("beginning", "now" or an RFC 3339 time; "" = none), then lists; existing leases are
//       kept as they are; idempotent, and safe when several instances do it at once
//   (lease_acquire_atom, lease seen) -> lease
//       owner = this instance, if the lease still has the token it had when listed;
//       ec::conflict otherwise (another instance was quicker, or the owner renewed it); a lease
//       that is ours already is answered as it is
//   (lease_renew_atom, lease held) -> lease
//   (lease_checkpoint_atom, lease held, std::string continuation) -> lease
//   (lease_release_atom, lease held) -> lease
//       each fails with ec::conflict when the lease is owned by someone else now (stolen or
//       expired and taken: the worker must stop) and ec::not_found when it is gone; a changed
//       token while the lease is still ours (e.g. a renew raced a checkpoint) is not an error
//   (lease_split_atom, lease parent, std::vector<lease_range> children) -> std::vector<lease>
//       after a split (410/1002): creates the children, owned by this instance, each with the
//       parent's continuation and StartFrom and Parent = the parent's token (an existing child is
//       kept as is), then deletes the parent; ec::conflict when the parent is no longer ours
//
// Answers carry the lease as written, with its new token: keep it for the next call.

#include "jobs/change_feed/lease.hpp"

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>
#include <vector>

namespace bulkd {

using lease_list_atom = caf::atom_constant<caf::atom("ls_list")>;
using lease_create_atom = caf::atom_constant<caf::atom("ls_create")>;
using lease_acquire_atom = caf::atom_constant<caf::atom("ls_acquire")>;
using lease_renew_atom = caf::atom_constant<caf::atom("ls_renew")>;
using lease_checkpoint_atom = caf::atom_constant<caf::atom("ls_ckpt")>;
using lease_release_atom = caf::atom_constant<caf::atom("ls_release")>;
using lease_split_atom = caf::atom_constant<caf::atom("ls_split")>;

using lease_store_actor = caf::typed_actor<
    caf::replies_to<lease_list_atom>::with<std::vector<lease>>,
    caf::replies_to<lease_create_atom, std::vector<lease_range>,
                    std::string>::with<std::vector<lease>>,
    caf::replies_to<lease_acquire_atom, lease>::with<lease>,
    caf::replies_to<lease_renew_atom, lease>::with<lease>,
    caf::replies_to<lease_checkpoint_atom, lease, std::string>::with<lease>,
    caf::replies_to<lease_release_atom, lease>::with<lease>,
    caf::replies_to<lease_split_atom, lease, std::vector<lease_range>>::with<std::vector<lease>>>;

} // namespace bulkd
