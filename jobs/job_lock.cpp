#include "jobs/job_lock.hpp"

#include "clients/error.hpp"
#include "jobs/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <utility>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bulkd {

namespace {

caf::error io_failure(const std::string& what, const std::filesystem::path& p, int err) {
  return make_error(ec::io_error, what + " " + p.string() + ": " + std::strerror(err));
}

// The pid written by the holder, "unknown" when it has not written it yet (or wrote garbage).
std::string holder_pid(int fd) {
  char buf[32] = {};
  auto n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0)
    return "unknown";
  std::string text{buf, static_cast<size_t>(n)};
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return "unknown";
  return text;
}

caf::error write_pid(int fd, const std::filesystem::path& p) {
  auto text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0)
    return io_failure("cannot write the lock file", p, errno);
  if (::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    return io_failure("cannot write the lock file", p, errno);
  return caf::none;
}

} // namespace

job_lock::job_lock(job_lock&& other) noexcept
    : fd_{std::exchange(other.fd_, -1)}, path_{std::move(other.path_)} {}

job_lock& job_lock::operator=(job_lock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

job_lock::~job_lock() {
  release();
}

void job_lock::release() {
  if (fd_ < 0)
    return;
  // The pid goes first so that a reader never sees ours after we let go; closing unlocks.
  [[maybe_unused]] auto rc = ::ftruncate(fd_, 0);
  ::close(fd_);
  fd_ = -1;
}

std::filesystem::path job_lock_path(const std::filesystem::path& state_dir, std::string_view job) {
  return state_dir / "locks" / (std::string{job} + ".lock");
}

caf::expected<job_lock> try_lock_job(const std::filesystem::path& state_dir, std::string_view job) {
  if (job.empty() || job == "." || job == ".." || job.find('/') != std::string_view::npos ||
      job.find('\0') != std::string_view::npos)
    return make_error(ec::invalid_argument,
                      "cannot lock job '" + std::string{job} + "': not a plain file name");
  auto dir = state_dir / "locks";
  if (auto err = create_private_directories(dir))
    return err;
  auto path = job_lock_path(state_dir, job);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return io_failure("cannot open the lock file", path, errno);
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    auto err = errno;
    if (err == EWOULDBLOCK) {
      auto pid = holder_pid(fd);
      ::close(fd);
      return make_error(ec::conflict, "job '" + std::string{job} + "' is running (pid " + pid +
                                          ", lock " + path.string() + ")");
    }
    ::close(fd);
    return io_failure("cannot lock", path, err);
  }
  ::fchmod(fd, 0600);
  if (auto err = write_pid(fd, path)) {
    ::close(fd);
    return err;
  }
  return job_lock{fd, std::move(path)};
}

} // namespace bulkd
