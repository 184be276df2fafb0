#include "daemon/daemon_runtime.hpp"

#include "actors/actor_system_setup.hpp"
#include "actors/http_pool.hpp"
#include "actors/root_supervisor.hpp"
#include "daemon/admin_server.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics_process.hpp"
#include "daemon/metrics_registry.hpp"
#include "daemon/notifier.hpp"
#include "daemon/signal_thread.hpp"
#include "jobs/enum_names.hpp"

#include <spdlog/spdlog.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <condition_variable>
#include <mutex>
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
      }) {
  }

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
        auto& gauges = registry.gauge_family("bulkd_http_pool", "State of the HTTP worker pool",
                                             {"what"});
        gauges.with({"workers"}).set(static_cast<double>(s.workers));
        gauges.with({"in_flight"}).set(static_cast<double>(s.in_flight));
        gauges.with({"queued"}).set(static_cast<double>(s.queued));
        gauges.with({"max_in_flight"}).set(static_cast<double>(s.max_in_flight));
        auto& counts = registry.counter_family(
          "bulkd_http_requests_total", "Requests through the HTTP pool by outcome", {"outcome"});
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

} // namespace

int run_daemon(const daemon_config& config, const std::vector<job_spec>& jobs) {
  block_shutdown_signals();
  auto notify = notifier::from_environment();

  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg);
  caf::actor_system sys{sys_cfg};
  auto root = spawn_root_supervisor(sys);

  auto pool = add_child(sys, root,
                        {"http_pool", [](caf::event_based_actor* self) {
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
  admin_server admin{{.host = config.admin.host,
                      .port = config.admin.port,
                      .token = std::string{config.admin.token.reveal()}},
                     registry};
  admin.set_readiness([&] { return root_answers(sys, root, std::chrono::seconds{1}); });
  admin.set_before_metrics([&] {
    process.refresh();
    publish_http_pool_stats(registry, sys, root);
  });
  auto port = admin.start();
  if (!port) {
    log::error("cannot start the admin API",
               {{"listen", config.admin.host + ":" + std::to_string(config.admin.port)},
                {"error", render(port.error())}});
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    await_exit(sys, root);
    return exit_code::unavailable;
  }

  auto stop_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
    config.shutdown_timeout + std::chrono::seconds{5});
  signal_thread signals{{
    .on_shutdown =
      [&](int signo) {
        log::info("shutting down", {{"signal", signo}});
        notify.stopping("draining");
        caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
      },
    .on_reload =
      [&] {
        log::warn("SIGHUP: reloading the jobs directory is not implemented yet in this version; "
                  "the running set stays");
      },
    .stop_deadline = stop_deadline,
    .forced_exit_code = exit_code::failed,
    .force_exit = {},
    .poll_interval = std::chrono::milliseconds{100},
  }};

  std::optional<watchdog_thread> watchdog;
  if (auto interval = notify.watchdog_interval())
    watchdog.emplace(sys, root, notify, *interval);

  auto summary = std::to_string(jobs.size()) + " jobs loaded, admin API on " + config.admin.host
                 + ":" + std::to_string(*port);
  log::info("bulkd is up", {{"jobs", jobs.size()},
                            {"admin", config.admin.host + ":" + std::to_string(*port)},
                            {"version", BULKD_VERSION}});
  notify.ready(summary);

  auto reason = await_exit(sys, root);
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
