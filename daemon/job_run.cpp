#include "daemon/job_run.hpp"

#include "jobs/timestamp.hpp"

#include <nlohmann/json.hpp>

namespace bulkd {

namespace {

nlohmann::json time_json(const std::optional<job_run::time_point>& t) {
  if (!t)
    return nullptr;
  return format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(*t));
}

} // namespace

std::string to_json(const job_run& run, std::string_view counts) {
  nlohmann::json j{{"id", run.id},
                   {"job", run.job},
                   {"trigger", enum_name(run.trigger)},
                   {"state", enum_name(run.state)},
                   {"created", time_json(run.created)},
                   {"started", time_json(run.started)},
                   {"ended", time_json(run.ended)},
                   {"seconds", nullptr},
                   {"counts", nlohmann::json::object()},
                   {"error", nullptr}};
  if (run.started && run.ended)
    j["seconds"] = std::chrono::duration<double>(*run.ended - *run.started).count();
  auto text = counts.empty() ? std::string_view{run.counts} : counts;
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_object())
    j["counts"] = std::move(parsed);
  if (!run.error.empty())
    j["error"] = run.error;
  if (run.cancel_requested && !run.finished())
    j["cancel_requested"] = true;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace bulkd
