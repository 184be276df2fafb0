// The per-job lock: exclusive between processes and within one, released on destruction or
// death, a file without a holder is no lock, and the refusal names the holder's pid.

#include "clients/error.hpp"
#include "jobs/job_lock.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace bulkd;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-lock-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_text(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::string refusal(const fs::path& state, std::string_view job) {
  auto l = try_lock_job(state, job);
  REQUIRE_FALSE(l);
  CHECK(l.error().code() == static_cast<uint8_t>(ec::conflict));
  return render(l.error());
}

// A child process that takes the lock, says so through a pipe and holds it until told to go
// (or killed).
struct holder {
  pid_t pid = -1;
  int go_fd = -1;

  holder(const fs::path& state, const std::string& job) {
    int ready[2];
    int go[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(go) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(ready[0]);
      ::close(go[1]);
      auto l = try_lock_job(state, job);
      char c = l ? 'y' : 'n';
      [[maybe_unused]] auto w = ::write(ready[1], &c, 1);
      [[maybe_unused]] auto r = ::read(go[0], &c, 1);
      std::_Exit(l ? 0 : 1);
    }
    ::close(ready[1]);
    ::close(go[0]);
    go_fd = go[1];
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    REQUIRE(c == 'y');
  }

  int finish() {
    char c = 'x';
    [[maybe_unused]] auto w = ::write(go_fd, &c, 1);
    return wait_exit();
  }

  int kill() {
    ::kill(pid, SIGKILL);
    return wait_exit();
  }

  int wait_exit() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(go_fd);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  ~holder() {
    if (pid > 0)
      kill();
  }
};

} // namespace

TEST_CASE("job lock: one holder at a time, the refusal names the pid and the file",
          "[jobs][job_lock]") {
  temp_dir dir;
  auto path = job_lock_path(dir.path, "orders-feed");
  CHECK(path == dir.path / "locks" / "orders-feed.lock");
  auto first = try_lock_job(dir.path, "orders-feed");
  REQUIRE(first);
  CHECK(first->path() == path);
  CHECK(mode_of(dir.path / "locks") == 0700);
  CHECK(mode_of(path) == 0600);
  auto pid = std::to_string(::getpid());
  CHECK(read_text(path) == pid + "\n");
  CHECK(refusal(dir.path, "orders-feed") ==
        "conflict: job 'orders-feed' is running (pid " + pid + ", lock " + path.string() + ")");
  // Another job is another lock.
  CHECK(try_lock_job(dir.path, "nightly-keys"));
}

TEST_CASE("job lock: released on destruction, on release() and through moves", "[jobs][job_lock]") {
  temp_dir dir;
  {
    auto l = try_lock_job(dir.path, "j");
    REQUIRE(l);
  }
  auto again = try_lock_job(dir.path, "j");
  REQUIRE(again);
  auto moved = std::move(*again);
  refusal(dir.path, "j");
  moved.release();
  CHECK(read_text(job_lock_path(dir.path, "j")).empty());
  auto third = try_lock_job(dir.path, "j");
  REQUIRE(third);
  // Assigning over a held lock releases it first.
  auto other = try_lock_job(dir.path, "k");
  REQUIRE(other);
  *third = std::move(*other);
  CHECK(try_lock_job(dir.path, "j"));
  refusal(dir.path, "k");
}

TEST_CASE("job lock: held by another process, free once it exits or is killed",
          "[jobs][job_lock]") {
  temp_dir dir;
  auto path = job_lock_path(dir.path, "feed");
  {
    holder child{dir.path, "feed"};
    CHECK(refusal(dir.path, "feed") == "conflict: job 'feed' is running (pid " +
                                           std::to_string(child.pid) + ", lock " + path.string() +
                                           ")");
    CHECK(child.finish() == 0);
  }
  CHECK(try_lock_job(dir.path, "feed"));
  // Killed: its pid stays in the file, but nobody holds the lock.
  holder killed{dir.path, "feed"};
  auto killed_pid = std::to_string(killed.pid);
  CHECK(killed.kill() == 128 + SIGKILL);
  CHECK(read_text(path) == killed_pid + "\n");
  auto after = try_lock_job(dir.path, "feed");
  REQUIRE(after);
  CHECK(read_text(path) == std::to_string(::getpid()) + "\n");
}

TEST_CASE("job lock: a stale file without a holder is not a lock", "[jobs][job_lock]") {
  temp_dir dir;
  fs::create_directories(dir.path / "locks");
  auto path = job_lock_path(dir.path, "feed");
  std::ofstream{path} << "99999999\n";
  auto l = try_lock_job(dir.path, "feed");
  REQUIRE(l);
  CHECK(read_text(path) == std::to_string(::getpid()) + "\n");
}

TEST_CASE("job lock: bad job names and an unusable state dir are refused with the reason",
          "[jobs][job_lock][bad_input]") {
  temp_dir dir;
  for (auto bad : {"", ".", "..", "a/b"}) {
    auto l = try_lock_job(dir.path, bad);
    REQUIRE_FALSE(l);
    CHECK(render(l.error()) ==
          "invalid_argument: cannot lock job '" + std::string{bad} + "': not a plain file name");
  }
  auto file = dir.path / "not-a-dir";
  std::ofstream{file} << "x";
  auto l = try_lock_job(file, "feed");
  REQUIRE_FALSE(l);
  CHECK(l.error().code() == static_cast<uint8_t>(ec::io_error));
  CHECK(render(l.error()) ==
        "io_error: cannot create directory " + file.string() + ": Not a directory");
}
