#pragma once

// retention.keep_last for backup sets under `<destination>/<vault dir>/`.
//
// Only directories whose name is a set name (set_layout.hpp) are sets; anything else there --
// files, symlinks, other directories -- is never listed for deletion. A set is
//   complete    its manifest.json is valid and records no failed keys,
//   partial     its manifest.json is valid but some keys failed,
//   incomplete  no valid manifest.json (a run still going, or killed): never deleted.
// keep_last N keeps the N newest complete sets and every set newer than the oldest of them; all
// older complete and partial sets are deleted. So a partial set never displaces a complete one,
// and with fewer than N complete sets nothing is deleted.
//
// Deleting renames the set to ".deleting-<name>" first, so a crash mid-way never leaves a
// half-deleted set that looks complete; such leftovers are finished on the next apply.

#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace bulkd::key_backup {

enum class set_state { complete, partial, incomplete };

const char* to_string(set_state s);

struct set_entry {
  std::string name; // directory name, a set name
  std::filesystem::path dir;
  set_state state = set_state::incomplete;
  std::string detail; // why incomplete, or how many keys failed
};

/// The sets under `vault_dir`, oldest first, and leftovers of interrupted deletions. A missing
/// `vault_dir` has no sets.
struct set_listing {
  std::vector<set_entry> sets;
  std::vector<std::filesystem::path> leftovers; // ".deleting-<set name>" directories
};

caf::expected<set_listing> list_backup_sets(const std::filesystem::path& vault_dir);

struct retention_plan {
  std::vector<set_entry> keep;
  std::vector<set_entry> remove;
  std::vector<set_entry> incomplete; // kept, reported
  std::vector<std::filesystem::path> leftovers;
};

/// Decides, without touching the disk, what keep_last (>= 1) deletes.
retention_plan plan_retention(const set_listing& listing, uint32_t keep_last);

struct retention_result {
  std::vector<std::filesystem::path> removed;
  std::vector<std::string> errors; // one per set that could not be deleted
};

/// Deletes what the plan says (and finishes leftovers); re-checks each target is still a real
/// directory with a set name under the same parent before touching it.
retention_result apply_retention(const retention_plan& plan);

} // namespace bulkd::key_backup
