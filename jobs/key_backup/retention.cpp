#include "jobs/key_backup/retention.hpp"

#include "clients/error.hpp"
#include "jobs/error_text.hpp"
#include "jobs/key_backup/backup_set_reader.hpp"
#include "jobs/key_backup/set_layout.hpp"

#include <algorithm>
#include <map>
#include <system_error>

namespace bulkd::key_backup {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view deleting_prefix = ".deleting-";

bool is_real_directory(const fs::path& p) {
  std::error_code err;
  return fs::is_directory(fs::symlink_status(p, err));
}

} // namespace

const char* to_string(set_state s) {
  switch (s) {
  case set_state::complete:
    return "complete";
  case set_state::partial:
    return "partial";
  case set_state::incomplete:
    return "incomplete";
  }
  return "unknown";
}

caf::expected<set_listing> list_backup_sets(const fs::path& vault_dir) {
  set_listing out;
  std::error_code err;
  if (!fs::exists(vault_dir, err))
    return out;
  std::map<set_name, set_entry> by_time;
  fs::directory_iterator it{vault_dir, err};
  for (; !err && it != fs::directory_iterator{}; it.increment(err)) {
    auto name = it->path().filename().string();
    if (!is_real_directory(it->path()))
      continue;
    if (name.starts_with(deleting_prefix)) {
      if (parse_set_directory_name(std::string_view{name}.substr(deleting_prefix.size())))
        out.leftovers.push_back(it->path());
      continue;
    }
    auto parsed = parse_set_directory_name(name);
    if (!parsed)
      continue;
    set_entry e{name, it->path(), set_state::incomplete, {}};
    auto set = open_backup_set(it->path());
    if (!set) {
      e.detail = error_text(set.error());
    } else if (!set->manifest.failed.empty()) {
      e.state = set_state::partial;
      e.detail = std::to_string(set->manifest.failed.size()) + " key(s) failed";
    } else {
      e.state = set_state::complete;
    }
    by_time.emplace(*parsed, std::move(e));
  }
  if (err)
    return make_error(ec::io_error, "cannot list " + vault_dir.string() + ": " + err.message());
  for (auto& [_, e] : by_time)
    out.sets.push_back(std::move(e));
  return out;
}

retention_plan plan_retention(const set_listing& listing, uint32_t keep_last) {
  retention_plan plan;
  plan.leftovers = listing.leftovers;
  keep_last = std::max<uint32_t>(keep_last, 1);
  uint32_t complete_seen = 0;
  // Newest first: once keep_last complete sets are kept, older sets with a manifest go.
  for (auto it = listing.sets.rbegin(); it != listing.sets.rend(); ++it) {
    if (it->state == set_state::incomplete) {
      plan.incomplete.push_back(*it);
    } else if (complete_seen >= keep_last) {
      plan.remove.push_back(*it);
    } else {
      if (it->state == set_state::complete)
        ++complete_seen;
      plan.keep.push_back(*it);
    }
  }
  auto oldest_first = [](std::vector<set_entry>& v) { std::reverse(v.begin(), v.end()); };
  oldest_first(plan.keep);
  oldest_first(plan.remove);
  oldest_first(plan.incomplete);
  return plan;
}

retention_result apply_retention(const retention_plan& plan) {
  retention_result result;
  auto remove_tree = [&](const fs::path& p) {
    std::error_code err;
    fs::remove_all(p, err);
    if (err)
      result.errors.push_back("cannot delete " + p.string() + ": " + err.message());
    else
      result.removed.push_back(p);
  };
  for (const auto& p : plan.leftovers)
    if (is_real_directory(p))
      remove_tree(p);
  for (const auto& e : plan.remove) {
    if (!is_real_directory(e.dir) || e.dir.filename() != e.name ||
        !parse_set_directory_name(e.name)) {
      result.errors.push_back("not deleting " + e.dir.string() + ": not a backup set directory");
      continue;
    }
    auto doomed = e.dir.parent_path() / (std::string{deleting_prefix} + e.name);
    std::error_code err;
    fs::rename(e.dir, doomed, err);
    if (err) {
      result.errors.push_back("cannot delete " + e.dir.string() + ": " + err.message());
      continue;
    }
    std::error_code rm_err;
    fs::remove_all(doomed, rm_err);
    if (rm_err)
      result.errors.push_back("cannot delete " + e.dir.string() + " (now " + doomed.string() +
                              "): " + rm_err.message());
    else
      result.removed.push_back(e.dir);
  }
  return result;
}

} // namespace bulkd::key_backup
