#include "daemon/signal_thread.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <pthread.h>

namespace bulkd {

namespace {

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

timespec to_timespec(std::chrono::nanoseconds d) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(d);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(secs.count());
  ts.tv_nsec = static_cast<long>((d - secs).count());
  return ts;
}

template <class F, class... Ts>
void invoke_guarded(const char* what, const F& fn, Ts... xs) {
  if (!fn)
    return;
  try {
    fn(xs...);
  } catch (const std::exception& ex) {
    spdlog::error("{} callback failed: {}", what, ex.what());
  } catch (...) {
    spdlog::error("{} callback failed", what);
  }
}

} // namespace

void block_shutdown_signals() {
  auto set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

signal_thread::signal_thread(signal_thread_options options) : options_(std::move(options)) {
  thread_ = std::thread{[this] { run(); }};
}

signal_thread::~signal_thread() {
  stop();
}

void signal_thread::stop() {
  stop_ = true;
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id())
    thread_.join();
}

void signal_thread::run() {
  auto set = shutdown_signals();
  // In case the caller forgot: this thread at least must not die of these signals.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  using clock = std::chrono::steady_clock;
  clock::time_point deadline{};
  bool forced = false;
  auto force = [&](const char* why) {
    if (forced)
      return;
    forced = true;
    spdlog::error("{}: forcing exit with code {}", why, options_.forced_exit_code);
    if (options_.force_exit)
      invoke_guarded("force_exit", options_.force_exit, options_.forced_exit_code);
    else
      std::_Exit(options_.forced_exit_code);
  };
  while (!stop_) {
    auto wait = std::chrono::nanoseconds{options_.poll_interval};
    if (shutting_down_ && !forced)
      wait = std::max(std::chrono::nanoseconds{0},
                      std::min(wait, std::chrono::nanoseconds{deadline - clock::now()}));
    auto ts = to_timespec(wait);
    int signo = sigtimedwait(&set, nullptr, &ts);
    if (signo < 0) {
      // EAGAIN: timeout; EINTR: another signal interrupted the wait.
      if (shutting_down_ && clock::now() >= deadline)
        force("shutdown deadline passed");
      continue;
    }
    if (signo == SIGHUP) {
      if (shutting_down_) {
        spdlog::info("SIGHUP ignored while shutting down");
        continue;
      }
      spdlog::info("SIGHUP: reloading");
      invoke_guarded("reload", options_.on_reload);
      continue;
    }
    if (shutting_down_) {
      force(signo == SIGINT ? "second SIGINT" : "second SIGTERM");
      continue;
    }
    shutting_down_ = true;
    deadline = clock::now() + options_.stop_deadline;
    spdlog::info("{}: shutting down", signo == SIGINT ? "SIGINT" : "SIGTERM");
    invoke_guarded("shutdown", options_.on_shutdown, signo);
  }
}

} // namespace bulkd
