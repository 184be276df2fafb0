#include "jobs/change_feed/lease_start_check.hpp"

#include "jobs/change_feed/start_position.hpp"

#include <algorithm>

namespace bulkd {

bool contradicts(const start_position& spec, const lease& l) {
  if (l.start_from.empty())
    return false;
  auto pos = parse_start_position(l.start_from);
  if (!pos)
    return false;
  switch (spec.kind) {
  case start_position::beginning:
    return pos->kind != start_position::beginning;
  case start_position::now:
    return pos->kind == start_position::beginning;
  case start_position::time:
    return !(*pos == spec);
  }
  return false;
}

std::string start_from_warning(std::string_view job, const start_position& spec,
                               const std::vector<lease>& leases, std::string_view where) {
  std::vector<std::string> seen;
  for (auto& l : leases)
    if (contradicts(spec, l) && std::find(seen.begin(), seen.end(), l.start_from) == seen.end())
      seen.push_back(l.start_from);
  if (seen.empty())
    return {};
  std::string from;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (i > 0)
      from += i + 1 == seen.size() ? " and " : ", ";
    from += seen[i];
  }
  auto spec_text = to_string(spec);
  return "start_from: " + spec_text + " in the spec, but the leases in " + std::string{where} +
         " were started from " + from + ": existing checkpoints win; `bulkd checkpoint reset " +
         std::string{job} + " --to " + spec_text + "` starts over";
}

} // namespace bulkd
