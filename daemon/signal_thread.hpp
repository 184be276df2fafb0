#pragma once

// Signals without signal handlers: SIGTERM, SIGINT and SIGHUP are blocked in every thread and a
// plain std::thread takes them with sigtimedwait, so its callbacks may do anything (log, send
// to actors, sd_notify). Order of use in the daemon:
//
//   block_shutdown_signals();            // first, before the actor_system or any other thread
//   caf::actor_system sys{cfg};          // its threads inherit the blocked mask
//   ... spawn the root supervisor and its children ...
//   signal_thread signals{{.on_shutdown = ..., .on_reload = ..., ...}};
//   bulkd::await_exit(sys, root);        // or sys.await_all_actors_done()
//   signals.stop();                      // joins
//
// The loop keeps running after the first signal: a returned signal thread would leave further
// SIGTERMs blocked forever, and the process killable only with SIGKILL.

#include "daemon/exit_code.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace bulkd {

/// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread; threads it starts later inherit that.
void block_shutdown_signals();

struct signal_thread_options {
  /// First SIGTERM or SIGINT, with its number. The daemon sends STOPPING=1 and
  /// anon_send_exit(root, exit_reason::user_shutdown).
  std::function<void(int signo)> on_shutdown;
  /// SIGHUP; ignored once shutting down.
  std::function<void()> on_reload;
  /// After the first shutdown signal, the process is forced out when this much time passes.
  std::chrono::milliseconds stop_deadline = std::chrono::seconds{35};
  /// The code of a forced exit (second SIGTERM/SIGINT, or the deadline).
  int forced_exit_code = exit_code::failed;
  /// Ends the process; empty means std::_Exit. Tests inject one that records instead. Called at
  /// most once.
  std::function<void(int code)> force_exit;
  /// How often the loop checks for stop() and the deadline.
  std::chrono::milliseconds poll_interval = std::chrono::milliseconds{100};
};

class signal_thread {
public:
  /// Starts the thread.
  explicit signal_thread(signal_thread_options options);

  signal_thread(const signal_thread&) = delete;
  signal_thread& operator=(const signal_thread&) = delete;

  /// stop()
  ~signal_thread();

  /// Ends the loop and joins the thread (within one poll interval). Idempotent.
  void stop();

  /// Whether a shutdown signal has arrived.
  bool shutdown_requested() const { return shutting_down_.load(); }

private:
  void run();

  signal_thread_options options_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> shutting_down_{false};
  std::thread thread_;
};

} // namespace bulkd
