#include "daemon/job_runner.hpp"

#include "daemon/log.hpp"
#include "jobs/job_lock.hpp"
#include "jobs/timestamp.hpp"

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <malloc.h>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

namespace bulkd {

namespace {

using time_point = job_run::time_point;

std::string when(time_point t) {
  return format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(t));
}

/// The error's message without the "category: " head.
std::string message_of(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return render(err);
}

std::string describe_end(const job_run& r) {
  std::string out = "run " + std::to_string(r.id) + " " + std::string{enum_name(r.state)};
  if (r.ended)
    out += " at " + when(*r.ended);
  return out;
}

} // namespace

struct job_runner::state : std::enable_shared_from_this<job_runner::state> {
  struct entry {
    job_spec spec;
    const kind_runner* kind = nullptr; // null: serve cannot run this kind
    std::optional<cron_schedule> schedule;
    std::optional<time_point> next_fire;
    uint64_t skipped = 0;
    std::optional<uint64_t> current;
    std::deque<uint64_t> history;         // newest first
    std::optional<time_point> restart_at; // continuous, after a failed run
    uint32_t failures = 0;                // failed runs in a row (continuous)
    bool removed = false;                 // dropped from the jobs dir: forget it once its run ended
    std::optional<job_spec> replacement;  // changed in the jobs dir: applied once its run ended
  };

  caf::actor_system& sys;
  const daemon_config& config;
  pool_getter pool;
  kind_table kinds;
  job_runner_options options;

  mutable std::mutex mtx;
  mutable std::condition_variable changed; // a run ended, or stopping
  std::map<std::string, entry> jobs;
  std::map<uint64_t, job_run> runs; // current and kept runs
  std::map<uint64_t, caf::actor> actors;
  std::map<uint64_t, std::string> cancel_reasons;
  std::map<uint64_t, std::thread> threads;
  std::vector<uint64_t> ended_threads; // to join
  uint64_t next_id = 1;
  bool stopping = false;
  bool started = false;
  std::thread scheduler;

  state(caf::actor_system& s, const daemon_config& c, pool_getter p, kind_table k,
        job_runner_options o)
      : sys(s), config(c), pool(std::move(p)), kinds(std::move(k)), options(std::move(o)) {}

  entry make_entry(job_spec spec) const {
    entry e;
    if (auto k = kinds.find(spec.kind()); k != kinds.end() && k->second.execute)
      e.kind = &k->second;
    e.schedule = parsed_schedule(spec);
    e.spec = std::move(spec);
    return e;
  }

  // Requires the lock. Starts a continuous job or computes a scheduled one's next fire.
  void arm_locked(entry& e, time_point now) {
    if (e.kind == nullptr || stopping)
      return;
    if (e.kind->continuous)
      launch_locked(shared_from_this(), e, run_trigger::start);
    else if (e.schedule)
      e.next_fire = e.schedule->next_after(now);
  }

  job_view view(const entry& e) const {
    job_view v;
    v.name = e.spec.name;
    v.kind = e.spec.kind();
    v.schedule = e.spec.schedule;
    v.runnable = e.kind != nullptr;
    v.mode = e.kind != nullptr && e.kind->continuous ? "continuous"
             : e.schedule                            ? "scheduled"
                                                     : "on-demand";
    v.next_fire = e.restart_at ? e.restart_at : e.next_fire;
    v.skipped_fires = e.skipped;
    if (e.current)
      v.current = runs.at(*e.current);
    for (auto id : e.history)
      v.last_runs.push_back(runs.at(id));
    v.origin = e.spec.origin.file;
    if (e.spec.origin.line > 0)
      v.origin += ":" + std::to_string(e.spec.origin.line);
    v.spec = e.spec;
    return v;
  }

  void reap_locked() {
    std::vector<uint64_t> self_thread; // a run thread that restarts its job cannot join itself
    for (auto id : ended_threads) {
      auto it = threads.find(id);
      if (it == threads.end())
        continue;
      if (it->second.get_id() == std::this_thread::get_id()) {
        self_thread.push_back(id);
        continue;
      }
      it->second.join(); // it has finished its work; only returning remains
      threads.erase(it);
    }
    ended_threads = std::move(self_thread);
  }

  // Requires the lock.
  caf::error request_cancel(job_run& r, std::string reason) {
    if (r.finished())
      return make_error(ec::conflict, "run " + std::to_string(r.id) + " of job '" + r.job +
                                          "' has finished already (" + describe_end(r) +
                                          "); there is nothing to cancel");
    if (r.cancel_requested)
      return {};
    r.cancel_requested = true;
    cancel_reasons[r.id] = std::move(reason);
    if (auto it = actors.find(r.id); it != actors.end())
      caf::anon_send_exit(it->second, caf::exit_reason::user_shutdown);
    log::info("cancelling a run", {{"job", r.job}, {"run", r.id}});
    return {};
  }

  // Requires the lock.
  uint64_t launch_locked(const std::shared_ptr<state>& self, entry& e, run_trigger why) {
    reap_locked();
    auto id = next_id++;
    job_run r;
    r.id = id;
    r.job = e.spec.name;
    r.trigger = why;
    r.created = options.now();
    runs.emplace(id, std::move(r));
    e.current = id;
    e.restart_at.reset();
    log::info("starting a run", {{"job", e.spec.name},
                                 {"run", id},
                                 {"trigger", enum_name(why)},
                                 {"kind", enum_name(e.spec.kind())}});
    threads.emplace(id, std::thread([self, id] { self->execute(id); }));
    return id;
  }

  void execute(uint64_t id) {
    job_spec spec;
    const kind_runner* kind = nullptr;
    {
      std::lock_guard guard{mtx};
      auto& r = runs.at(id);
      if (r.cancel_requested) {
        finish_locked(id, {.ok = false, .error = "cancelled before it started", .counts = "{}"});
        return;
      }
      r.state = run_state::running;
      r.started = options.now();
      auto& e = jobs.at(r.job);
      spec = e.spec;
      kind = e.kind;
    }
    run_result result;
    try {
      // One instance per job on this machine: `bulkd run` of the same job or a second daemon
      // makes the run fail with the holder's pid.
      auto lock = try_lock_job(config.resolve_path(config.state_dir), spec.name);
      auto pool_handle = pool();
      if (!lock) {
        result.error = message_of(lock.error());
      } else if (!pool_handle) {
        result.error = "no HTTP pool: " + render(pool_handle.error());
      } else {
        run_env env{sys, *pool_handle, config};
        result = kind->execute(env, spec, [this, id](const caf::actor& a) {
          std::lock_guard guard{mtx};
          actors[id] = a;
          if (runs.at(id).cancel_requested)
            caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
        });
      }
    } catch (const std::exception& e) {
      result = {.ok = false, .error = std::string{"exception: "} + e.what(), .counts = "{}"};
    } catch (...) {
      result = {.ok = false, .error = "unknown exception", .counts = "{}"};
    }
    std::lock_guard guard{mtx};
    finish_locked(id, std::move(result));
  }

  // Requires the lock.
  void finish_locked(uint64_t id, run_result result) {
    auto& r = runs.at(id);
    r.ended = options.now();
    r.counts = result.counts.empty() ? "{}" : std::move(result.counts);
    if (result.ok) {
      r.state = run_state::succeeded;
    } else if (r.cancel_requested) {
      r.state = run_state::cancelled;
      r.error = "cancelled (" + cancel_reasons[id] + ")";
      if (!result.error.empty())
        r.error += ": " + result.error;
    } else {
      r.state = run_state::failed;
      r.error = result.error.empty() ? "failed" : std::move(result.error);
    }
    if (r.state == run_state::failed)
      log::warn("run failed", {{"job", r.job}, {"run", id}, {"error", r.error}});
    else
      log::info("run ended", {{"job", r.job}, {"run", id}, {"state", enum_name(r.state)}});
    actors.erase(id);
    cancel_reasons.erase(id);
    auto& e = jobs.at(r.job);
    e.current.reset();
    e.history.push_front(id);
    while (e.history.size() > std::max<size_t>(1, options.history)) {
      runs.erase(e.history.back());
      e.history.pop_back();
    }
    ended_threads.push_back(id);
    // A run's buffers are freed now, but glibc keeps freed pages inside its arenas: hand them
    // back, so that a daemon running jobs for months shows its live memory, not its high-water
    // mark of fragments (the soak's RSS moved between 34 and 41 MiB without it).
    ::malloc_trim(0);
    if (!e.removed && !e.replacement && e.kind != nullptr && e.kind->continuous)
      plan_restart_locked(e, r);
    if (e.removed) {
      log::info("job removed", {{"job", e.spec.name}});
      jobs.erase(e.spec.name);
    } else if (e.replacement) {
      auto history = std::move(e.history);
      auto skipped = e.skipped;
      e = make_entry(std::move(*e.replacement));
      e.history = std::move(history);
      e.skipped = skipped;
      log::info("job changed; its new spec is in effect", {{"job", e.spec.name}});
      if (started)
        arm_locked(e, options.now());
    }
    changed.notify_all();
  }

  // Requires the lock. After a continuous job's run ended: a failure restarts it later.
  void plan_restart_locked(entry& e, const job_run& r) {
    if (r.state != run_state::failed || stopping) {
      e.failures = 0;
      return;
    }
    auto lasted = r.started && r.ended ? *r.ended - *r.started : time_point::duration{};
    if (lasted >= options.restart_max)
      e.failures = 0;
    auto delay = options.restart_delay;
    for (uint32_t i = 0; i < e.failures && delay < options.restart_max; ++i)
      delay *= 2;
    delay = std::min(delay, options.restart_max);
    ++e.failures;
    e.restart_at = *r.ended + delay;
    log::warn("continuous job failed; starting it again later",
              {{"job", e.spec.name},
               {"run", r.id},
               {"in_seconds", static_cast<int64_t>(delay.count())},
               {"failures_in_a_row", e.failures}});
  }

  // Requires the lock.
  time_point tick_locked(const std::shared_ptr<state>& self, time_point now) {
    auto earliest = time_point::max();
    for (auto& [name, e] : jobs) {
      if (e.restart_at) {
        if (now >= *e.restart_at && !e.current && !stopping) {
          e.restart_at.reset();
          launch_locked(self, e, run_trigger::restart);
        } else if (!e.current) {
          earliest = std::min(earliest, *e.restart_at);
        }
        continue;
      }
      if (!e.schedule || e.kind == nullptr)
        continue;
      if (!e.next_fire)
        e.next_fire = e.schedule->next_after(now);
      if (now >= *e.next_fire) {
        if (e.current) {
          ++e.skipped;
          log::warn("scheduled fire skipped: the previous run is still going",
                    {{"job", name}, {"run", *e.current}, {"skipped", e.skipped}});
        } else if (!stopping) {
          launch_locked(self, e, run_trigger::schedule);
        }
        e.next_fire = e.schedule->next_after(now);
      }
      earliest = std::min(earliest, *e.next_fire);
    }
    return earliest;
  }

  void scheduler_loop(const std::shared_ptr<state>& self) {
    std::unique_lock guard{mtx};
    while (!stopping) {
      auto now = options.now();
      auto next = tick_locked(self, now);
      // Wake at the next fire time, and at least every second (the clock may jump).
      auto wait = std::chrono::milliseconds{1000};
      if (next != time_point::max() && next > now)
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(next - now) +
                                  std::chrono::milliseconds{1});
      changed.wait_for(guard, wait, [this] { return stopping; });
    }
  }
};

job_runner::job_runner(caf::actor_system& sys, const daemon_config& config, pool_getter pool,
                       kind_table kinds, std::vector<job_spec> jobs, job_runner_options options)
    : state_(std::make_shared<state>(sys, config, std::move(pool), std::move(kinds),
                                     std::move(options))) {
  for (auto& spec : jobs) {
    auto name = spec.name;
    state_->jobs.emplace(std::move(name), state_->make_entry(std::move(spec)));
  }
}

job_runner::~job_runner() {
  shutdown();
}

void job_runner::start() {
  auto& s = *state_;
  std::lock_guard guard{s.mtx};
  if (s.started || s.stopping)
    return;
  s.started = true;
  auto now = s.options.now();
  for (auto& [name, e] : s.jobs) {
    if (e.kind == nullptr) {
      log::warn("this version of serve cannot run the job's kind; it is listed, not run",
                {{"job", name}, {"kind", enum_name(e.spec.kind())}});
      continue;
    }
    s.arm_locked(e, now);
  }
  if (s.options.scheduler_thread)
    s.scheduler = std::thread([self = state_] { self->scheduler_loop(self); });
}

job_runner::reload_summary job_runner::reload(std::vector<job_spec> jobs) {
  auto& s = *state_;
  reload_summary out;
  std::lock_guard guard{s.mtx};
  auto now = s.options.now();
  std::map<std::string, job_spec> wanted;
  for (auto& spec : jobs) {
    auto name = spec.name;
    wanted.emplace(std::move(name), std::move(spec));
  }
  for (auto it = s.jobs.begin(); it != s.jobs.end();) {
    auto& e = it->second;
    if (wanted.count(it->first) > 0 || e.removed) {
      ++it;
      continue;
    }
    out.removed.push_back(it->first);
    if (!e.current) {
      it = s.jobs.erase(it);
      continue;
    }
    e.removed = true;
    e.replacement.reset();
    static_cast<void>(
        s.request_cancel(s.runs.at(*e.current), "the job was removed from the jobs directory"));
    ++it;
  }
  for (auto& [name, spec] : wanted) {
    auto it = s.jobs.find(name);
    if (it == s.jobs.end()) {
      out.added.push_back(name);
      auto& e = s.jobs.emplace(name, s.make_entry(std::move(spec))).first->second;
      if (s.started)
        s.arm_locked(e, now);
      continue;
    }
    auto& e = it->second;
    auto& effective = e.replacement ? *e.replacement : e.spec;
    if (!e.removed && effective == spec) {
      ++out.unchanged;
      continue;
    }
    out.changed.push_back(name);
    if (e.current) {
      e.removed = false;
      e.replacement = std::move(spec);
      static_cast<void>(s.request_cancel(s.runs.at(*e.current),
                                         "the job changed; it restarts with the new spec"));
      continue;
    }
    auto history = std::move(e.history);
    auto skipped = e.skipped;
    e = s.make_entry(std::move(spec));
    e.history = std::move(history);
    e.skipped = skipped;
    if (s.started)
      s.arm_locked(e, now);
  }
  s.changed.notify_all();
  return out;
}

job_run::time_point job_runner::tick(job_run::time_point now) {
  std::lock_guard guard{state_->mtx};
  return state_->tick_locked(state_, now);
}

caf::expected<uint64_t> job_runner::trigger(const std::string& job, run_trigger why) {
  auto& s = *state_;
  std::lock_guard guard{s.mtx};
  if (s.stopping)
    return make_error(ec::shutting_down, "the daemon is shutting down; no new runs");
  auto it = s.jobs.find(job);
  if (it == s.jobs.end())
    return make_error(ec::not_found, "no job named '" + job + "'");
  auto& e = it->second;
  if (e.kind == nullptr)
    return make_error(ec::not_implemented, "this version of bulkd serve cannot run " +
                                               std::string{enum_name(e.spec.kind())} + " jobs");
  if (e.current)
    return make_error(ec::conflict, "job '" + job + "' is running already (run " +
                                        std::to_string(*e.current) + ")");
  return s.launch_locked(state_, e, why);
}

caf::expected<uint64_t> job_runner::cancel_job(const std::string& job) {
  auto& s = *state_;
  std::lock_guard guard{s.mtx};
  auto it = s.jobs.find(job);
  if (it == s.jobs.end())
    return make_error(ec::not_found, "no job named '" + job + "'");
  auto& e = it->second;
  if (!e.current) {
    std::string last = e.history.empty() ? "it has not run yet"
                                         : "its last " + describe_end(s.runs.at(e.history.front()));
    return make_error(ec::conflict, "job '" + job +
                                        "' has no run going; there is nothing to cancel (" + last +
                                        ")");
  }
  auto id = *e.current;
  if (auto err = s.request_cancel(s.runs.at(id), "through the admin API"))
    return err;
  return id;
}

caf::error job_runner::cancel_run(uint64_t id) {
  auto& s = *state_;
  std::lock_guard guard{s.mtx};
  auto it = s.runs.find(id);
  if (it == s.runs.end())
    return make_error(ec::not_found, "no run with id " + std::to_string(id) +
                                         " (ids count from "
                                         "1 in each daemon process; old runs are forgotten)");
  return s.request_cancel(it->second, "through the admin API");
}

std::vector<job_view> job_runner::jobs() const {
  std::lock_guard guard{state_->mtx};
  std::vector<job_view> out;
  for (auto& [name, e] : state_->jobs)
    out.push_back(state_->view(e));
  return out;
}

std::optional<job_view> job_runner::job(const std::string& name) const {
  std::lock_guard guard{state_->mtx};
  auto it = state_->jobs.find(name);
  if (it == state_->jobs.end())
    return std::nullopt;
  return state_->view(it->second);
}

std::optional<job_run> job_runner::run(uint64_t id) const {
  std::lock_guard guard{state_->mtx};
  auto it = state_->runs.find(id);
  if (it == state_->runs.end())
    return std::nullopt;
  return it->second;
}

std::optional<std::string> job_runner::progress(uint64_t id) const {
  caf::actor actor;
  const kind_runner* kind = nullptr;
  {
    std::lock_guard guard{state_->mtx};
    auto r = state_->runs.find(id);
    auto a = state_->actors.find(id);
    if (r == state_->runs.end() || r->second.state != run_state::running ||
        a == state_->actors.end())
      return std::nullopt;
    kind = state_->jobs.at(r->second.job).kind;
    actor = a->second;
  }
  if (kind == nullptr || !kind->progress)
    return std::nullopt;
  return kind->progress(state_->sys, actor, state_->options.progress_timeout);
}

std::optional<job_run> job_runner::wait_for(uint64_t id, std::chrono::milliseconds timeout) const {
  auto& s = *state_;
  std::unique_lock guard{s.mtx};
  s.changed.wait_for(guard, timeout, [&] {
    auto it = s.runs.find(id);
    return it == s.runs.end() || it->second.finished();
  });
  auto it = s.runs.find(id);
  if (it == s.runs.end())
    return std::nullopt;
  return it->second;
}

void job_runner::shutdown() {
  auto& s = *state_;
  std::map<uint64_t, std::thread> threads;
  {
    std::lock_guard guard{s.mtx};
    if (!s.stopping) {
      s.stopping = true;
      for (auto& [id, r] : s.runs)
        if (!r.finished())
          static_cast<void>(s.request_cancel(r, "the daemon is shutting down"));
    }
    s.changed.notify_all();
  }
  if (s.scheduler.joinable())
    s.scheduler.join();
  {
    std::lock_guard guard{s.mtx};
    threads.swap(s.threads);
    s.ended_threads.clear();
  }
  for (auto& [id, t] : threads)
    t.join();
}

size_t job_runner::running() const {
  std::lock_guard guard{state_->mtx};
  return static_cast<size_t>(std::count_if(state_->jobs.begin(), state_->jobs.end(),
                                           [](auto& kv) { return kv.second.current.has_value(); }));
}

} // namespace bulkd
