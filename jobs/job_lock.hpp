#pragma once

// One running instance per job on this machine: an exclusive flock on
// <state_dir>/locks/<job>.lock, held for as long as the job_lock lives. The file holds the
// holder's pid so a refusal can name it. The kernel drops the lock when the process dies, so a
// file left behind by a killed process is no lock; the file itself is never removed (removing it
// would let two processes lock two different files of the same name).

#include <caf/expected.hpp>

#include <filesystem>
#include <string_view>

namespace bulkd {

class job_lock {
public:
  job_lock(job_lock&& other) noexcept;
  job_lock& operator=(job_lock&& other) noexcept;
  job_lock(const job_lock&) = delete;
  job_lock& operator=(const job_lock&) = delete;
  ~job_lock();

  const std::filesystem::path& path() const { return path_; }

  /// Unlocks now (the destructor does it otherwise).
  void release();

private:
  friend caf::expected<job_lock> try_lock_job(const std::filesystem::path&, std::string_view);
  job_lock(int fd, std::filesystem::path path) : fd_{fd}, path_{std::move(path)} {}

  int fd_ = -1;
  std::filesystem::path path_;
};

/// <state_dir>/locks/<job>.lock
std::filesystem::path job_lock_path(const std::filesystem::path& state_dir, std::string_view job);

/// Takes the lock without waiting; the directory is created with mode 0700, the file 0600.
/// Held by another process (or another job_lock of this one): ec::conflict
/// "job 'x' is running (pid 1234, lock /state/locks/x.lock)". A job name that is not a plain
/// file name: ec::invalid_argument. Other failures: ec::io_error naming the path.
caf::expected<job_lock> try_lock_job(const std::filesystem::path& state_dir, std::string_view job);

} // namespace bulkd
