#pragma once

// One run of a job in `bulkd serve`: its id, what started it, its state and its outcome. The
// job_runner keeps the current run and the last few of every job; the admin API shows them as JSON.

#include "jobs/enum_names.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulkd {

enum class run_state { pending, running, succeeded, failed, cancelled };

template <>
struct enum_names<run_state> {
  static constexpr std::array<std::pair<run_state, std::string_view>, 5> values{{
      {run_state::pending, "pending"},
      {run_state::running, "running"},
      {run_state::succeeded, "succeeded"},
      {run_state::failed, "failed"},
      {run_state::cancelled, "cancelled"},
  }};
};

/// What started a run.
enum class run_trigger { schedule, api, start, restart };

template <>
struct enum_names<run_trigger> {
  static constexpr std::array<std::pair<run_trigger, std::string_view>, 4> values{{
      {run_trigger::schedule, "schedule"},
      {run_trigger::api, "api"},
      {run_trigger::start, "start"},     // continuous jobs, started with the daemon
      {run_trigger::restart, "restart"}, // a continuous job again after its run failed
  }};
};

struct job_run {
  using time_point = std::chrono::system_clock::time_point;

  uint64_t id = 0; // unique within one daemon process, counting from 1
  std::string job;
  run_trigger trigger = run_trigger::api;
  run_state state = run_state::pending;
  time_point created{};
  std::optional<time_point> started;
  std::optional<time_point> ended;
  std::string counts = "{}"; // JSON object: the kind's counts (final ones once ended)
  std::string error;         // why it failed or was cancelled; empty otherwise
  bool cancel_requested = false;

  bool finished() const {
    return state == run_state::succeeded || state == run_state::failed ||
           state == run_state::cancelled;
  }
};

/// {"id","job","trigger","state","created","started","ended","seconds","counts","error"}; times as
/// RFC 3339 UTC strings or null, error null when empty. `counts` overrides the run's own (live
/// progress of a running run).
std::string to_json(const job_run& run, std::string_view counts = {});

} // namespace bulkd
