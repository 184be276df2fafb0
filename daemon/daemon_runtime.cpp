#include "daemon/daemon_runtime.hpp"

#include "actors/actor_system_setup.hpp"
#include "actors/http_pool.hpp"
#include "actors/root_supervisor.hpp"
#include "daemon/admin_api.hpp"
#include "daemon/admin_server.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/job_kinds.hpp"
#include "daemon/job_runner.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics_process.hpp"
#include "daemon/metrics_registry.hpp"
#include "daemon/notifier.hpp"
#include "daemon/signal_thread.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/spec_loader.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace bulkd {

namespace {

/// Asks the root for a heartbeat through the actor system: true only when it answered in time.
bool root_answers(caf::actor_system& sys, const caf::actor& root, caf::timespan timeout) {
  caf::scoped_actor self{sys, true};
  bool ok = false;
  self->request(root, timeout, caf::ping_atom::value)
      .receive([&](caf::pong_atom) { ok = true; }, [&](caf::error&) { ok = false; });
  return ok;
}

/// Sends WATCHDOG=1 every `interval` while the root supervisor answers its heartbeat, so systemd
/// restarts a daemon whose actors are stuck, not only one whose process died.
class watchdog_thread {
public:
  watchdog_thread(caf::actor_system& sys, caf::actor root, notifier& notify,
                  std::chrono::microseconds interval)
      : thread_([this, &sys, root, &notify, interval] {
          std::unique_lock guard{mtx_};
          while (!cv_.wait_for(guard, interval, [this] { return stop_; })) {
            guard.unlock();
            if (root_answers(sys, root, std::chrono::duration_cast<caf::timespan>(interval)))
              notify.watchdog();
            else
              spdlog::warn("watchdog: the root supervisor did not answer; not pinging systemd");
            guard.lock();
          }
        }) {}

  ~watchdog_thread() {
    {
      std::lock_guard guard{mtx_};
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

void publish_job_gauges(metrics::registry& registry, const std::vector<job_spec>& jobs) {
  auto& loaded = registry.gauge_family("bulkd_jobs", "Jobs loaded from the jobs directory",
                                       {"kind", "schedule"});
  for (auto& job : jobs)
    loaded.with({enum_name(job.kind()), job.schedule.empty() ? "on-demand" : "scheduled"}).inc();
}

void publish_http_pool_stats(metrics::registry& registry, caf::actor_system& sys,
                             const caf::actor& root) {
  caf::scoped_actor self{sys, true};
  caf::actor pool;
  self->request(root, std::chrono::seconds{1}, caf::get_atom::value, std::string{"http_pool"})
      .receive([&](caf::actor& a) { pool = std::move(a); }, [](caf::error&) {});
  if (!pool)
    return;
  self->request(pool, std::chrono::seconds{1}, http_stats_atom::value)
      .receive(
          [&](const http_pool_stats& s) {
            auto& gauges =
                registry.gauge_family("bulkd_http_pool", "State of the HTTP worker pool", {"what"});
            gauges.with({"workers"}).set(static_cast<double>(s.workers));
            gauges.with({"in_flight"}).set(static_cast<double>(s.in_flight));
            gauges.with({"queued"}).set(static_cast<double>(s.queued));
            gauges.with({"max_in_flight"}).set(static_cast<double>(s.max_in_flight));
            auto& counts =
                registry.counter_family("bulkd_http_requests_total",
                                        "Requests through the HTTP pool by outcome", {"outcome"});
            // Counters only move forward: add what is new since the last scrape.
            auto advance = [&](std::string_view outcome, uint64_t total) {
              auto& c = counts.with({outcome});
              if (static_cast<double>(total) > c.value())
                c.inc(static_cast<double>(total) - c.value());
            };
            advance("completed", s.completed);
            advance("error", s.errors);
            advance("overloaded", s.overloaded);
          },
          [](caf::error&) {});
}

/// The HTTP pool as the root supervisor has it now (a restart replaces it).
caf::expected<http_pool_actor> current_pool(caf::actor_system& sys, const caf::actor& root) {
  caf::scoped_actor self{sys, true};
  caf::expected<http_pool_actor> out = make_error(ec::not_found, "the HTTP pool is not running");
  self->request(root, std::chrono::seconds{5}, caf::get_atom::value, std::string{"http_pool"})
      .receive([&](caf::actor& a) { out = caf::actor_cast<http_pool_actor>(std::move(a)); },
               [&](caf::error& err) { out = std::move(err); });
  return out;
}

void publish_run_metrics(metrics::registry& registry, const job_runner& runner) {
  auto& running = registry.gauge_family("bulkd_job_running", "1 while a run of the job goes on",
                                        {"job", "kind"});
  auto& skipped =
      registry.counter_family("bulkd_job_skipped_fires_total",
                              "Scheduled fires skipped because a run was still going", {"job"});
  for (auto& job : runner.jobs()) {
    running.with({job.name, enum_name(job.kind)}).set(job.current ? 1.0 : 0.0);
    auto& c = skipped.with({job.name});
    if (static_cast<double>(job.skipped_fires) > c.value())
      c.inc(static_cast<double>(job.skipped_fires) - c.value());
  }
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "" : ",") + n;
  return out;
}

/// SIGHUP: re-reads the jobs directory (bulkd.yaml itself needs a restart). A directory with any
/// error is refused as a whole and the running set stays.
void reload_jobs(const daemon_config& config, job_runner& runner, notifier& notify) {
  notify.reloading();
  auto loaded = load_configured_jobs(config);
  if (!loaded.ok()) {
    std::string problems;
    for (auto& d : loaded.diags)
      problems += (problems.empty() ? "" : "; ") + render(d);
    log::error("reload refused: the jobs directory has errors; the running set stays",
               {{"jobs_dir", config.jobs_dir}, {"errors", problems}});
    notify.ready("reload refused (jobs directory has errors); running set unchanged");
    return;
  }
  auto summary = runner.reload(std::move(*loaded.value));
  log::info("jobs reloaded", {{"added", joined(summary.added)},
                              {"removed", joined(summary.removed)},
                              {"changed", joined(summary.changed)},
                              {"unchanged", summary.unchanged}});
  notify.ready("jobs reloaded: " + std::to_string(summary.added.size()) + " added, " +
               std::to_string(summary.removed.size()) + " removed, " +
               std::to_string(summary.changed.size()) + " changed");
}

/// STATUS= for systemd: jobs running, documents per second over the last interval (bulk written
/// plus feed delivered, from the live counts of the runs going on) and the worst change-feed lag.
class status_summary {
public:
  explicit status_summary(uint16_t port) : port_(port) {}

  std::string line(const job_runner& runner) {
    auto now = std::chrono::steady_clock::now();
    std::map<uint64_t, uint64_t> totals;
    std::optional<uint64_t> worst_lag;
    std::string worst_job;
    size_t feeds = 0;
    auto jobs = runner.jobs();
    for (auto& job : jobs) {
      if (!job.current || job.current->state != run_state::running)
        continue;
      auto live = runner.progress(job.current->id);
      if (!live)
        continue;
      auto j = nlohmann::json::parse(*live, nullptr, false);
      if (!j.is_object())
        continue;
      auto count = [&](const char* key) {
        auto it = j.find(key);
        return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : uint64_t{0};
      };
      if (job.kind == job_kind::change_feed) {
        ++feeds;
        totals[job.current->id] = count("delivered");
        if (auto ranges = j.find("ranges"); ranges != j.end() && ranges->is_array())
          for (auto& r : *ranges)
            if (auto lag = r.find("lag_items"); lag != r.end() && lag->is_number_unsigned() &&
                                                (!worst_lag || lag->get<uint64_t>() > *worst_lag)) {
              worst_lag = lag->get<uint64_t>();
              worst_job = job.name;
            }
      } else {
        totals[job.current->id] = count("written");
      }
    }
    uint64_t moved = 0;
    for (auto& [id, total] : totals) {
      auto before = last_.find(id);
      auto from = before == last_.end() ? uint64_t{0} : before->second;
      moved += total > from ? total - from : 0;
    }
    double seconds = std::chrono::duration<double>(now - last_time_).count();
    auto rate = last_time_ == std::chrono::steady_clock::time_point{} || seconds <= 0
                    ? uint64_t{0}
                    : static_cast<uint64_t>(static_cast<double>(moved) / seconds + 0.5);
    last_ = std::move(totals);
    last_time_ = now;
    std::string lag = "-";
    if (worst_lag)
      lag = std::to_string(*worst_lag) + " items (" + worst_job + ")";
    else if (feeds > 0)
      lag = "unknown";
    return std::to_string(jobs.size()) + " jobs loaded, " + std::to_string(runner.running()) +
           " running, " + std::to_string(rate) + " docs/s, worst feed lag " + lag +
           ", admin API on port " + std::to_string(port_);
  }

private:
  uint16_t port_;
  std::map<uint64_t, uint64_t> last_; // run id -> documents at the last sample
  std::chrono::steady_clock::time_point last_time_{};
};

} // namespace

int run_daemon(const daemon_config& config, const std::vector<job_spec>& jobs) {
  block_shutdown_signals();
  auto notify = notifier::from_environment();

  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg);
  caf::actor_system sys{sys_cfg};
  auto root = spawn_root_supervisor(sys);

  auto pool = add_child(sys, root, {"http_pool", [](caf::event_based_actor* self) {
                                      return caf::actor_cast<caf::actor>(spawn_http_pool(self));
                                    }});
  if (!pool) {
    log::error("cannot start the HTTP pool", {{"error", render(pool.error())}});
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    await_exit(sys, root);
    return exit_code::failed;
  }

  metrics::registry registry;
  metrics::process_metrics process{registry, BULKD_VERSION};
  publish_job_gauges(registry, jobs);
  job_runner runner{sys, config, [&sys, root] { return current_pool(sys, root); },
                    default_kind_runners(), jobs};
  admin_server admin{{.host = config.admin.host,
                      .port = config.admin.port,
                      .token = std::string{config.admin.token.reveal()}},
                     registry};
  admin.set_readiness([&] { return root_answers(sys, root, std::chrono::seconds{1}); });
  admin.set_before_metrics([&] {
    process.refresh();
    publish_http_pool_stats(registry, sys, root);
    publish_run_metrics(registry, runner);
  });
  if (auto err = add_job_routes(admin, runner)) {
    log::error("cannot add the /v1 routes", {{"error", render(err)}});
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    await_exit(sys, root);
    return exit_code::failed;
  }
  auto port = admin.start();
  if (!port) {
    log::error("cannot start the admin API",
               {{"listen", config.admin.host + ":" + std::to_string(config.admin.port)},
                {"error", render(port.error())}});
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    await_exit(sys, root);
    return exit_code::unavailable;
  }

  // The main thread waits for a shutdown signal or the root's own end (e.g. too many restarts);
  // then the runs drain before the root stops the pool they use.
  std::mutex stop_mtx;
  std::condition_variable stop_cv;
  bool stop_requested = false;
  std::optional<caf::error> root_reason;
  std::thread root_watch([&] {
    auto reason = await_exit(sys, root);
    std::lock_guard guard{stop_mtx};
    root_reason = std::move(reason);
    stop_cv.notify_all();
  });

  auto stop_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
      config.shutdown_timeout + std::chrono::seconds{5});
  signal_thread signals{{
      .on_shutdown =
          [&](int signo) {
            log::info("shutting down", {{"signal", signo}});
            notify.stopping("draining");
            std::lock_guard guard{stop_mtx};
            stop_requested = true;
            stop_cv.notify_all();
          },
      .on_reload = [&] { reload_jobs(config, runner, notify); },
      .stop_deadline = stop_deadline,
      .forced_exit_code = exit_code::failed,
      .force_exit = {},
      .poll_interval = std::chrono::milliseconds{100},
  }};

  std::optional<watchdog_thread> watchdog;
  if (auto interval = notify.watchdog_interval())
    watchdog.emplace(sys, root, notify, *interval);

  runner.start();
  log::info("bulkd is up", {{"jobs", jobs.size()},
                            {"admin", config.admin.host + ":" + std::to_string(*port)},
                            {"version", BULKD_VERSION}});
  status_summary summary{*port};
  auto status = summary.line(runner);
  notify.ready(status);

  {
    std::unique_lock guard{stop_mtx};
    while (!stop_cv.wait_for(guard, std::chrono::seconds{2},
                             [&] { return stop_requested || root_reason.has_value(); })) {
      guard.unlock();
      if (auto now = summary.line(runner); now != status) {
        status = std::move(now);
        notify.status(status);
      }
      guard.lock();
    }
  }
  runner.shutdown();
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  root_watch.join();
  auto reason = root_reason.value_or(caf::error{});
  watchdog.reset();
  admin.stop();
  signals.stop();
  if (reason == caf::exit_reason::user_shutdown) {
    log::info("stopped");
    return exit_code::ok;
  }
  log::error("stopped on an error", {{"error", render(reason)}});
  return exit_code::failed;
}

} // namespace bulkd
