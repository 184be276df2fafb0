#pragma once

// A job spec: the fields every kind has (name, kind, schedule) and the kind's own spec.

#include "jobs/bulk_upsert_spec.hpp"
#include "jobs/change_feed_spec.hpp"
#include "jobs/cron.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/glob.hpp"
#include "jobs/key_backup_spec.hpp"
#include "jobs/source_location.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bulkd {

enum class job_kind { bulk_upsert, change_feed, key_backup };

template <>
struct enum_names<job_kind> {
  static constexpr std::array<std::pair<job_kind, std::string_view>, 3> values{{
      {job_kind::bulk_upsert, "bulk-upsert"},
      {job_kind::change_feed, "change-feed"},
      {job_kind::key_backup, "key-backup"},
  }};
};

using job_body = std::variant<bulk_upsert_spec, change_feed_spec, key_backup_spec>;

struct job_spec {
  std::string name; // [A-Za-z0-9][A-Za-z0-9._-]*, unique; used in file names
  /// Empty = on demand only. Otherwise a 5-field cron expression or @hourly/@daily/@weekly/
  /// @monthly, already checked by cron_schedule::parse.
  std::string schedule;
  job_body body;
  source_location origin; // the document it was loaded from

  job_kind kind() const { return static_cast<job_kind>(body.index()); }

  friend bool operator==(const job_spec&, const job_spec&) = default;
};

/// Whether `name` may be a job name (it becomes part of file names).
bool valid_job_name(std::string_view name);

/// The job's schedule; nullopt for on-demand jobs. Specs from the loader always parse.
std::optional<cron_schedule> parsed_schedule(const job_spec& job);

/// Compiled glob patterns (source.path, keys.include/exclude). Patterns from the loader always
/// parse; one that does not is left out.
std::vector<glob_pattern> parsed_globs(const std::vector<std::string>& patterns);

} // namespace bulkd
