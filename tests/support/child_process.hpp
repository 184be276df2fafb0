#pragma once

// Runs a program as a child process for end-to-end tests: captures stderr to a file, sends signals,
// waits with a deadline. Header-only so any test binary can use it.

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace bulkd::test {

class child_process {
public:
  /// Starts `argv[0]` with the given arguments and extra environment entries ("NAME=value");
  /// stdout and stderr go to `log_path`.
  child_process(std::vector<std::string> argv, std::string log_path,
                std::vector<std::string> extra_env = {})
      : log_path_(std::move(log_path)) {
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      for (auto& kv : extra_env)
        ::putenv(kv.data());
      std::vector<char*> args;
      for (auto& a : argv)
        args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      std::_Exit(127);
    }
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  ~child_process() {
    if (pid_ > 0 && !exit_status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }

  void signal(int sig) const { ::kill(pid_, sig); }

  /// Waits up to `deadline` for the child to exit; returns its exit code, or 128+signal when it
  /// was killed by a signal, or nullopt when it is still running.
  std::optional<int> wait_for(std::chrono::milliseconds deadline) {
    if (exit_status_)
      return exit_status_;
    auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      int status = 0;
      rusage usage{};
      auto r = ::wait4(pid_, &status, WNOHANG, &usage);
      if (r == pid_) {
        peak_rss_kib_ = usage.ru_maxrss;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_status_;
      }
      if (std::chrono::steady_clock::now() >= until)
        return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  /// The child's own peak resident set size in KiB, known once it has exited (0 before).
  long peak_rss_kib() const { return peak_rss_kib_; }

  /// What the child wrote to stdout and stderr so far.
  std::string output() const {
    std::ifstream in{log_path_};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> exit_status_;
  long peak_rss_kib_ = 0;
};

/// Runs a program to completion and returns {exit code, combined output}.
inline std::pair<int, std::string>
run_to_completion(std::vector<std::string> argv, const std::string& log_path,
                  std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  child_process p{std::move(argv), log_path};
  auto rc = p.wait_for(deadline);
  return {rc.value_or(-1), p.output()};
}

} // namespace bulkd::test
