#include "jobs/job_spec.hpp"

namespace bulkd {

std::optional<cron_schedule> parsed_schedule(const job_spec& job) {
  if (job.schedule.empty())
    return std::nullopt;
  if (auto s = cron_schedule::parse(job.schedule))
    return std::move(*s);
  return std::nullopt;
}

std::vector<glob_pattern> parsed_globs(const std::vector<std::string>& patterns) {
  std::vector<glob_pattern> out;
  out.reserve(patterns.size());
  for (auto& p : patterns)
    if (auto g = glob_pattern::parse(p))
      out.push_back(std::move(*g));
  return out;
}

} // namespace bulkd
