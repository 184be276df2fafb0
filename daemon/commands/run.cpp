// `bulkd run JOB.yaml... --config bulkd.yaml [--report FILE]`: runs bulk-upsert and key-backup
// jobs once, one after the other, with a live progress line on a TTY (bulk-upsert), a summary per
// job, and exit 0 when everything succeeded (every record written, every key backed up, the feed
// stopped by a signal or caught up), 1 when some records were dead-lettered or a run failed, 2 for
// a bad spec, 3 for what `run` does not execute yet (exec sinks). A change-feed job runs until
// SIGTERM/SIGINT, or with --until-caught-up until every range is read to its end. With
// --metrics-listen it serves the jobs' progress as Prometheus metrics (daemon/bulk_metrics.hpp,
// daemon/feed_metrics.hpp) on /metrics while they run.

#include "actors/actor_system_setup.hpp"
#include "actors/bulk_upsert/bulk_job_actor.hpp"
#include "actors/bulk_upsert/bulk_messages.hpp"
#include "actors/change_feed/change_feed_job_actor.hpp"
#include "actors/http_pool.hpp"
#include "actors/key_backup/run_key_backup.hpp"
#include "clients/error.hpp"
#include "daemon/admin_server.hpp"
#include "daemon/bulk_metrics.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/dev_emulator.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/feed_metrics.hpp"
#include "daemon/job_configs.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics_process.hpp"
#include "daemon/metrics_registry.hpp"
#include "daemon/signal_thread.hpp"
#include "jobs/bulk_upsert/bulk_report.hpp"
#include "jobs/duration.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/job_lock.hpp"
#include "jobs/spec_loader.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>
#include <variant>

namespace bulkd {

namespace {

void print_diagnostics(const diagnostics& diags) {
  for (auto& d : diags)
    std::fprintf(stderr, "%s\n", render(d).c_str());
}

struct current_job {
  std::mutex mtx;
  caf::actor handle;
  bool stop_requested = false;
};

/// The /metrics server of a run: the registry, the process metrics and the admin server.
struct run_metrics {
  metrics::registry registry;
  metrics::process_metrics process{registry, BULKD_VERSION};
  std::unique_ptr<admin_server> server;
};

/// Starts the /metrics server of --metrics-listen; prints why not and returns the exit code.
std::variant<std::unique_ptr<run_metrics>, int> start_metrics(const run_options& opts,
                                                              const daemon_config& config) {
  auto listen = parse_listen_address(opts.metrics_listen);
  if (!listen) {
    std::fprintf(stderr, "bulkd run: --metrics-listen: %s\n", render(listen.error()).c_str());
    return exit_code::bad_input;
  }
  auto& [host, port] = *listen;
  const auto& token = config.admin.token.reveal();
  if (!is_loopback_host(host) && token.empty()) {
    std::fprintf(stderr,
                 "bulkd run: --metrics-listen %s is not loopback: set admin.token in the config "
                 "first (it then guards /metrics)\n",
                 opts.metrics_listen.c_str());
    return exit_code::bad_input;
  }
  auto m = std::make_unique<run_metrics>();
  m->server = std::make_unique<admin_server>(
      admin_server_config{.host = host, .port = port, .token = token, .threads = 4}, m->registry);
  m->server->set_before_metrics([p = m.get()] { p->process.refresh(); });
  auto bound = m->server->start();
  if (!bound) {
    std::fprintf(stderr, "bulkd run: --metrics-listen: %s\n", render(bound.error()).c_str());
    return exit_code::unavailable;
  }
  auto shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::fprintf(stderr, "metrics: http://%s:%u/metrics\n", shown.c_str(),
               static_cast<unsigned>(*bound));
  std::fflush(stderr);
  return m;
}

bulk_report run_bulk(caf::actor_system& sys, const http_pool_actor& pool,
                     const daemon_config& config, const job_spec& job, current_job& current,
                     bool tty, metrics::registry* registry) {
  auto made = make_bulk_job_config(config, job);
  if (!made) {
    bulk_report r;
    r.job = job.name;
    r.ok = false;
    r.error = render(made.error());
    return r;
  }
  auto jc = std::move(*made);
  jc.pool = pool;
  auto done = std::make_shared<std::promise<bulk_report>>();
  auto result = done->get_future();
  jc.on_done = [done](const bulk_report& r) { done->set_value(r); };
  caf::actor handle;
  {
    std::lock_guard guard{current.mtx};
    if (current.stop_requested) {
      bulk_report r;
      r.job = job.name;
      r.ok = false;
      r.error = "interrupted before it started";
      return r;
    }
    handle = spawn_bulk_job(sys, std::move(jc));
    current.handle = handle;
  }
  std::optional<metrics::bulk_metrics> published;
  if (registry != nullptr)
    published.emplace(*registry, job.name);
  caf::scoped_actor self{sys, true};
  bool printed = false;
  bool poll = tty || published;
  while (result.wait_for(std::chrono::milliseconds{poll ? 500 : 1000}) !=
         std::future_status::ready) {
    if (!poll)
      continue;
    self->request(handle, std::chrono::seconds{1}, progress_atom::value)
        .receive(
            [&](const bulk_report& r) {
              if (published)
                published->update(r.counts);
              if (!tty)
                return;
              auto line = render_progress_line(r.counts, r.seconds);
              std::fprintf(stderr, "\r%s\033[K", line.c_str());
              std::fflush(stderr);
              printed = true;
            },
            [](caf::error&) {});
  }
  if (printed)
    std::fprintf(stderr, "\r\033[K");
  self->wait_for(handle);
  {
    std::lock_guard guard{current.mtx};
    current.handle = nullptr;
  }
  auto report = result.get();
  if (published)
    published->finish(report.counts);
  return report;
}

feed_report run_feed(caf::actor_system& sys, const http_pool_actor& pool,
                     const daemon_config& config, const job_spec& job, current_job& current,
                     bool tty, bool until_caught_up, metrics::registry* registry) {
  auto made = make_change_feed_job_config(config, job);
  if (!made) {
    feed_report r;
    r.job = job.name;
    r.ok = false;
    r.error = render(made.error());
    return r;
  }
  auto jc = std::move(*made);
  jc.pool = pool;
  jc.until_caught_up = until_caught_up;
  auto done = std::make_shared<std::promise<feed_report>>();
  auto result = done->get_future();
  jc.on_done = [done](const feed_report& r) { done->set_value(r); };
  caf::actor handle;
  {
    std::lock_guard guard{current.mtx};
    if (current.stop_requested) {
      feed_report r;
      r.job = job.name;
      r.ok = false;
      r.error = "interrupted before it started";
      return r;
    }
    handle = spawn_change_feed_job(sys, std::move(jc));
    current.handle = handle;
  }
  std::optional<metrics::feed_metrics> published;
  if (registry != nullptr)
    published.emplace(*registry, job.name);
  caf::scoped_actor self{sys, true};
  bool printed = false;
  while (result.wait_for(std::chrono::milliseconds{500}) != std::future_status::ready) {
    if (!tty && !published)
      continue;
    self->request(handle, std::chrono::seconds{1}, feed_status_atom::value)
        .receive(
            [&](const feed_report& r) {
              if (published)
                published->update(r);
              if (!tty)
                return;
              auto line = render_progress_line(r);
              std::fprintf(stderr, "\r%s\033[K", line.c_str());
              std::fflush(stderr);
              printed = true;
            },
            [](caf::error&) {});
  }
  if (printed)
    std::fprintf(stderr, "\r\033[K");
  self->wait_for(handle);
  {
    std::lock_guard guard{current.mtx};
    current.handle = nullptr;
  }
  auto report = result.get();
  if (published)
    published->finish(report);
  return report;
}

std::string render_key_backup(const key_backup_result& r) {
  std::string out = "key-backup " + r.job + ": " + (r.ok ? "ok" : "FAILED") + "\n";
  if (!r.error.empty())
    out += "  error: " + r.error + "\n";
  if (!r.set_dir.empty())
    out += "  set          " + r.set_dir + "\n";
  out += "  listed       " + std::to_string(r.listed) + "\n";
  out += "  selected     " + std::to_string(r.selected) + "\n";
  out += "  backed up    " + std::to_string(r.backed_up) + "\n";
  out += "  skipped      " + std::to_string(r.skipped) + "\n";
  out += "  failed       " + std::to_string(r.failed) + "\n";
  for (auto& f : r.failures)
    out += "    " + f + "\n";
  out += "  retention    " + std::to_string(r.retention_removed) + " set(s) removed\n";
  for (auto& e : r.retention_errors)
    out += "    " + e + "\n";
  if (!r.retention_incomplete.empty())
    out += "  incomplete   " + std::to_string(r.retention_incomplete.size()) +
           " older set(s) without a manifest kept (not counted by retention):\n";
  for (auto& e : r.retention_incomplete)
    out += "    " + e + "\n";
  char secs[32];
  std::snprintf(secs, sizeof(secs), "%.1f s", r.seconds);
  out += std::string{"  elapsed      "} + secs + "\n";
  return out;
}

std::string key_backup_json(const key_backup_result& r) {
  nlohmann::json j{{"job", r.job},
                   {"kind", "key-backup"},
                   {"ok", r.ok},
                   {"error", nullptr},
                   {"set_dir", r.set_dir},
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
  if (!r.error.empty())
    j["error"] = r.error;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

int run_run(const run_options& opts) {
  auto config = load_daemon_config(opts.dev ? dev_config_path(opts.config) : opts.config);
  print_diagnostics(config.diags);
  if (!config.ok())
    return exit_code::bad_input;
  // Declared first, so it stops after everything that uses it.
  std::unique_ptr<dev_emulator> emulator;
  if (opts.dev) {
    block_shutdown_signals(); // before the emulator's threads exist: they inherit the mask
    emulator = start_dev_emulator("run", *config.value, opts.config == default_config_path);
    if (!emulator)
      return exit_code::unavailable;
  }
  std::optional<duration> linger;
  if (!opts.metrics_linger.empty()) {
    auto parsed = parse_duration(opts.metrics_linger);
    if (!parsed) {
      std::fprintf(stderr, "bulkd run: --metrics-linger: %s\n", render(parsed.error()).c_str());
      return exit_code::bad_input;
    }
    if (opts.metrics_listen.empty()) {
      std::fprintf(stderr, "bulkd run: --metrics-linger needs --metrics-listen\n");
      return exit_code::bad_input;
    }
    linger = *parsed;
  }
  std::vector<job_spec> jobs;
  for (auto& file : opts.job_files) {
    auto loaded = load_job_file(file, &*config.value);
    print_diagnostics(loaded.diags);
    if (!loaded.ok())
      return exit_code::bad_input;
    for (auto& j : *loaded.value)
      jobs.push_back(std::move(j));
  }
  for (auto& job : jobs)
    if (auto* feed = std::get_if<change_feed_spec>(&job.body);
        feed != nullptr && std::holds_alternative<exec_sink>(feed->sink))
      return not_implemented("the exec sink of change-feed job '" + job.name + "'",
                             "use a jsonl, http or cosmos sink");
  configure_logging(to_spdlog_level(config.value->log.level), config.value->log.format);

  // Before any thread starts (the metrics server's too): signals go to the signal thread only.
  block_shutdown_signals();
  std::unique_ptr<run_metrics> metrics;
  if (!opts.metrics_listen.empty()) {
    auto started = start_metrics(opts, *config.value);
    if (auto* rc = std::get_if<int>(&started))
      return *rc;
    metrics = std::move(std::get<std::unique_ptr<run_metrics>>(started));
  }

  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg);
  caf::actor_system sys{sys_cfg};
  uint32_t in_flight = 1;
  for (auto& job : jobs) {
    if (auto* bulk = std::get_if<bulk_upsert_spec>(&job.body))
      in_flight = std::max(in_flight, bulk->concurrency.max_in_flight);
    else if (auto* keys = std::get_if<key_backup_spec>(&job.body))
      // Each worker sends its key's three reads (versions, key, backup blob) at once.
      in_flight = std::max(in_flight, 3 * keys->workers + 1);
    else if (job.kind() == job_kind::change_feed)
      in_flight = std::max(in_flight, 32u); // a read per range, sink posts, lease updates
  }
  http_pool_config pool_cfg;
  pool_cfg.workers = in_flight + 4;
  auto pool = spawn_http_pool(sys, pool_cfg);

  current_job current;
  signal_thread signals{{
      .on_shutdown =
          [&](int signo) {
            std::fprintf(stderr,
                         "\nbulkd run: signal %d: stopping after the records in flight "
                         "(again to force)\n",
                         signo);
            std::lock_guard guard{current.mtx};
            current.stop_requested = true;
            if (current.handle)
              caf::anon_send_exit(current.handle, caf::exit_reason::user_shutdown);
          },
      .on_reload = [] {},
      .stop_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
          config.value->shutdown_timeout + std::chrono::seconds{5}),
      .forced_exit_code = exit_code::failed,
      .force_exit = {},
      .poll_interval = std::chrono::milliseconds{100},
  }};

  bool tty = ::isatty(STDERR_FILENO) == 1;
  int rc = exit_code::ok;
  std::vector<std::string> reports; // JSON, one per job run
  for (size_t i = 0; i < jobs.size(); ++i) {
    // One run of a job with local state at a time (checkpoint reset is refused meanwhile too).
    // Instances of a change-feed job with Cosmos leases coordinate through the leases instead.
    std::optional<job_lock> lock;
    auto* feed = std::get_if<change_feed_spec>(&jobs[i].body);
    if (feed == nullptr || feed->leases.store == lease_store_kind::file) {
      auto locked = try_lock_job(config.value->resolve_path(config.value->state_dir), jobs[i].name);
      if (!locked) {
        std::fprintf(stderr, "bulkd run: %s\n", render(locked.error()).c_str());
        rc = exit_code::failed;
        continue;
      }
      lock.emplace(std::move(*locked));
    }
    if (jobs[i].kind() == job_kind::key_backup) {
      {
        std::lock_guard guard{current.mtx};
        if (current.stop_requested) {
          rc = exit_code::failed;
          break;
        }
      }
      auto result = run_key_backup(sys, pool, *config.value, jobs[i], [&](const caf::actor& a) {
        std::lock_guard guard{current.mtx};
        current.handle = a;
        if (current.stop_requested)
          caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
      });
      {
        std::lock_guard guard{current.mtx};
        current.handle = nullptr;
      }
      std::fputs(render_key_backup(result).c_str(), stdout);
      std::fflush(stdout);
      if (!result.ok)
        rc = exit_code::failed;
      reports.push_back(key_backup_json(result));
      continue;
    }
    if (jobs[i].kind() == job_kind::change_feed) {
      auto report = run_feed(sys, pool, *config.value, jobs[i], current, tty, opts.until_caught_up,
                             metrics ? &metrics->registry : nullptr);
      std::fputs(render_summary(report).c_str(), stdout);
      std::fflush(stdout);
      if (!report.ok)
        rc = exit_code::failed;
      reports.push_back(to_json(report));
      continue;
    }
    auto report = run_bulk(sys, pool, *config.value, jobs[i], current, tty,
                           metrics ? &metrics->registry : nullptr);
    std::fputs(render_summary(report).c_str(), stdout);
    std::fflush(stdout);
    if (!report.ok || report.counts.dead_lettered > 0 || report.counts.rejected > 0)
      rc = exit_code::failed;
    reports.push_back(to_json(report));
  }
  std::string json;
  if (jobs.size() == 1 && reports.size() == 1) {
    json = reports.front();
  } else {
    json = "[";
    for (size_t i = 0; i < reports.size(); ++i)
      json += (i > 0 ? "," : "") + reports[i];
    json += "]";
  }
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
  if (!opts.report.empty()) {
    std::ofstream out{opts.report, std::ios::trunc};
    out << json << "\n";
    if (!out) {
      std::fprintf(stderr, "bulkd run: cannot write the report %s\n", opts.report.c_str());
      rc = exit_code::failed;
    }
  }
  if (linger) {
    // A signal ends the wait early, like it stops a job.
    auto until = std::chrono::steady_clock::now() + *linger;
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard guard{current.mtx};
        if (current.stop_requested)
          break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
  }
  sys.await_all_actors_done();
  signals.stop();
  return rc;
}

} // namespace bulkd
