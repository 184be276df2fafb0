#include "daemon/job_kinds.hpp"

#include "actors/bulk_upsert/bulk_job_actor.hpp"
#include "actors/bulk_upsert/bulk_messages.hpp"
#include "actors/change_feed/change_feed_job_actor.hpp"
#include "actors/key_backup/run_key_backup.hpp"
#include "clients/error.hpp"
#include "daemon/job_configs.hpp"
#include "jobs/bulk_upsert/bulk_report.hpp"
#include "jobs/change_feed/feed_report.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>

#include <future>
#include <memory>

namespace bulkd {

namespace {

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// The report's counts without the fields the run record has itself (job, ok, error).
std::string bulk_counts_json(const bulk_report& r) {
  auto j = nlohmann::json::parse(to_json(r));
  j.erase("job");
  j.erase("ok");
  j.erase("error");
  if (!r.counts.in_flight_by_range.empty())
    j["in_flight_by_range"] = r.counts.in_flight_by_range;
  if (r.counts.bytes_total > 0)
    j["bytes_total"] = r.counts.bytes_total;
  j["bytes_read"] = r.counts.bytes_read;
  return dump(j);
}

run_result execute_bulk_upsert(const run_env& env, const job_spec& job,
                               const run_started_fn& on_started) {
  auto made = make_bulk_job_config(env.config, job);
  if (!made)
    return {.ok = false, .error = render(made.error()), .counts = "{}"};
  auto jc = std::move(*made);
  jc.pool = env.pool;
  auto done = std::make_shared<std::promise<bulk_report>>();
  auto future = done->get_future();
  jc.on_done = [done](const bulk_report& r) { done->set_value(r); };
  auto handle = spawn_bulk_job(env.sys, std::move(jc));
  on_started(handle);
  auto report = future.get();
  caf::scoped_actor self{env.sys, true};
  self->wait_for(handle);
  run_result out;
  out.counts = bulk_counts_json(report);
  out.ok = report.ok && report.counts.dead_lettered == 0 && report.counts.rejected == 0;
  if (!report.ok)
    out.error = report.error.empty() ? "failed" : report.error;
  else if (!out.ok)
    out.error = std::to_string(report.counts.dead_lettered) + " record(s) dead-lettered, " +
                std::to_string(report.counts.rejected) + " rejected";
  return out;
}

std::optional<std::string> bulk_upsert_progress(caf::actor_system& sys, const caf::actor& job,
                                                std::chrono::milliseconds timeout) {
  std::optional<std::string> out;
  caf::scoped_actor self{sys, true};
  self->request(job, timeout, progress_atom::value)
      .receive([&](const bulk_report& r) { out = bulk_counts_json(r); }, [](caf::error&) {});
  return out;
}

run_result execute_key_backup(const run_env& env, const job_spec& job,
                              const run_started_fn& on_started) {
  auto r = run_key_backup(env.sys, env.pool, env.config, job, on_started);
  nlohmann::json counts{{"set_dir", r.set_dir},
                        {"listed", r.listed},
                        {"selected", r.selected},
                        {"backed_up", r.backed_up},
                        {"skipped", r.skipped},
                        {"failed", r.failed},
                        {"failures", r.failures},
                        {"retention_removed", r.retention_removed},
                        {"retention_errors", r.retention_errors},
                        {"retention_incomplete", r.retention_incomplete},
                        {"requests_retried", r.requests_retried},
                        {"throttles", r.throttles},
                        {"seconds", r.seconds}};
  run_result out;
  out.ok = r.ok;
  out.counts = dump(counts);
  if (!r.ok)
    out.error = !r.error.empty() ? r.error : std::to_string(r.failed) + " key(s) failed";
  return out;
}

/// The feed report's counts without the fields the run record has itself.
std::string feed_counts_json(const feed_report& r) {
  auto j = nlohmann::json::parse(to_json(r));
  j.erase("job");
  j.erase("kind");
  j.erase("ok");
  j.erase("error");
  return dump(j);
}

run_result execute_change_feed(const run_env& env, const job_spec& job,
                               const run_started_fn& on_started) {
  auto made = make_change_feed_job_config(env.config, job);
  if (!made)
    return run_result{.ok = false, .error = render(made.error()), .counts = "{}"};
  auto jc = std::move(*made);
  jc.pool = env.pool;
  auto done = std::make_shared<std::promise<feed_report>>();
  auto future = done->get_future();
  jc.on_done = [done](const feed_report& r) { done->set_value(r); };
  auto handle = spawn_change_feed_job(env.sys, std::move(jc));
  on_started(handle);
  auto report = future.get();
  caf::scoped_actor self{env.sys, true};
  self->wait_for(handle);
  // A feed runs until it is stopped: a run ended by a stop (cancel, shutdown, reload) is not a
  // success; the runner records it as cancelled.
  run_result out;
  out.counts = feed_counts_json(report);
  out.ok = report.ok && !report.stopped;
  if (!report.ok)
    out.error = report.error.empty() ? "failed" : report.error;
  else if (report.stopped)
    out.error = "stopped";
  return out;
}

std::optional<std::string> change_feed_progress(caf::actor_system& sys, const caf::actor& job,
                                                std::chrono::milliseconds timeout) {
  std::optional<std::string> out;
  caf::scoped_actor self{sys, true};
  self->request(job, timeout, feed_status_atom::value)
      .receive([&](const feed_report& r) { out = feed_counts_json(r); }, [](caf::error&) {});
  return out;
}

} // namespace

kind_table default_kind_runners() {
  kind_table table;
  table[job_kind::bulk_upsert] = {
      .execute = execute_bulk_upsert, .progress = bulk_upsert_progress, .continuous = false};
  table[job_kind::key_backup] = {
      .execute = execute_key_backup, .progress = {}, .continuous = false};
  table[job_kind::change_feed] = {
      .execute = execute_change_feed, .progress = change_feed_progress, .continuous = true};
  return table;
}

} // namespace bulkd
