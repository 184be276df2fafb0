#include "jobs/change_feed/jsonl_sink_file.hpp"

#include "clients/error.hpp"
#include "jobs/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace bulkd {

namespace {

constexpr size_t write_chunk = 1024 * 1024;

caf::error sys_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(ec::io_error, what + " " + path.string() + ": " + std::strerror(err));
}

caf::error write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return sys_error("cannot write jsonl sink file", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return caf::none;
}

caf::error sync_directory_of(const std::filesystem::path& file) {
  auto dir = file.parent_path();
  if (dir.empty())
    dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sys_error("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL && err != ENOTSUP)
    return sys_error("cannot fsync directory", dir, err);
  return caf::none;
}

// Size of the file once the bytes after its last '\n' are cut off; an error when that tail is
// longer than jsonl_sink_file::max_torn_tail.
caf::expected<uint64_t> complete_size(int fd, uint64_t size, const std::filesystem::path& path) {
  constexpr auto limit = jsonl_sink_file::max_torn_tail;
  std::string buf;
  uint64_t end = size; // [0, end) not searched yet
  uint64_t keep = 0;   // stays 0 when there is no newline at all
  while (end > 0 && size - end <= limit) {
    auto len = static_cast<size_t>(std::min<uint64_t>(end, 64 * 1024));
    buf.resize(len);
    auto n = ::pread(fd, buf.data(), len, static_cast<off_t>(end - len));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return sys_error("cannot read jsonl sink file", path, errno);
    if (static_cast<size_t>(n) != len)
      return make_error(ec::io_error,
                        "cannot read jsonl sink file " + path.string() + ": it shrank while read");
    if (auto pos = std::string_view{buf}.rfind('\n'); pos != std::string_view::npos) {
      keep = end - len + pos + 1;
      break;
    }
    end -= len;
  }
  if (size - keep > limit)
    return make_error(ec::io_error, "jsonl sink file " + path.string() + " ends with more than " +
                                        std::to_string(limit) +
                                        " bytes after its last newline: not a torn line of a "
                                        "change batch, refusing to truncate it");
  return keep;
}

struct opened_file {
  int fd = -1;
  uint64_t size = 0;
  uint64_t torn = 0;
};

caf::expected<opened_file> open_active(const std::filesystem::path& path, bool fsync) {
  if (auto err = create_private_directories(path.parent_path()))
    return err;
  bool created = true;
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    if (::fchmod(fd, 0600) != 0) {
      auto err = errno;
      ::close(fd);
      return sys_error("cannot set the mode of jsonl sink file", path, err);
    }
  } else if (errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0)
    return sys_error("cannot open jsonl sink file", path, errno);
  auto fail = [&](caf::error err) -> caf::expected<opened_file> {
    ::close(fd);
    return err;
  };
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return fail(sys_error("cannot stat jsonl sink file", path, errno));
  if (!S_ISREG(st.st_mode))
    return fail(
        make_error(ec::io_error, "jsonl sink file " + path.string() + " is not a regular file"));
  opened_file out{fd, static_cast<uint64_t>(st.st_size), 0};
  if (out.size > 0) {
    auto keep = complete_size(fd, out.size, path);
    if (!keep)
      return fail(std::move(keep.error()));
    if (*keep != out.size) {
      if (::ftruncate(fd, static_cast<off_t>(*keep)) != 0)
        return fail(sys_error("cannot cut the torn last line of jsonl sink file", path, errno));
      if (fsync && ::fsync(fd) != 0)
        return fail(sys_error("cannot fsync jsonl sink file", path, errno));
      out.torn = out.size - *keep;
      out.size = *keep;
    }
  }
  if (created && fsync)
    if (auto err = sync_directory_of(path))
      return fail(std::move(err));
  return out;
}

std::string two(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02u", v % 100);
  return buf;
}

} // namespace

std::filesystem::path rotated_name(const std::filesystem::path& path, utc_time at,
                                   uint32_t counter) {
  using namespace std::chrono;
  auto day = floor<days>(at);
  year_month_day ymd{day};
  hh_mm_ss hms{floor<seconds>(at - day)};
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "%04d%s%sT%s%s%sZ", static_cast<int>(ymd.year()),
                two(static_cast<unsigned>(ymd.month())).c_str(),
                two(static_cast<unsigned>(ymd.day())).c_str(),
                two(static_cast<unsigned>(hms.hours().count())).c_str(),
                two(static_cast<unsigned>(hms.minutes().count())).c_str(),
                two(static_cast<unsigned>(hms.seconds().count())).c_str());
  char count[16];
  std::snprintf(count, sizeof(count), "%03u", counter);
  auto name = path.string();
  name += '.';
  name += stamp;
  name += '.';
  name += count;
  return name;
}

jsonl_sink_file::jsonl_sink_file(int fd, jsonl_sink spec, clock_fn clock)
    : fd_(fd), spec_(std::move(spec)), path_(spec_.path), clock_(std::move(clock)) {}

jsonl_sink_file::jsonl_sink_file(jsonl_sink_file&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), spec_(std::move(other.spec_)),
      path_(std::move(other.path_)), clock_(std::move(other.clock_)), size_(other.size_),
      synced_size_(other.synced_size_), unsynced_lost_(other.unsynced_lost_), torn_(other.torn_),
      rotated_(std::move(other.rotated_)) {}

jsonl_sink_file& jsonl_sink_file::operator=(jsonl_sink_file&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    spec_ = std::move(other.spec_);
    path_ = std::move(other.path_);
    clock_ = std::move(other.clock_);
    size_ = other.size_;
    synced_size_ = other.synced_size_;
    unsynced_lost_ = other.unsynced_lost_;
    torn_ = other.torn_;
    rotated_ = std::move(other.rotated_);
  }
  return *this;
}

jsonl_sink_file::~jsonl_sink_file() {
  close();
}

void jsonl_sink_file::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

caf::expected<jsonl_sink_file> jsonl_sink_file::open(const jsonl_sink& spec, clock_fn clock) {
  std::filesystem::path path{spec.path};
  if (path.empty() || !path.has_filename())
    return make_error(ec::invalid_argument,
                      "jsonl sink path '" + spec.path + "' is not a file name");
  auto f = open_active(path, spec.fsync);
  if (!f)
    return std::move(f.error());
  jsonl_sink_file out{f->fd, spec, std::move(clock)};
  out.size_ = f->size;
  out.synced_size_ = f->size;
  out.torn_ = f->torn;
  return out;
}

caf::error jsonl_sink_file::append(const change_batch& batch) {
  if (auto err = write(batch))
    return err;
  return sync();
}

caf::error jsonl_sink_file::sync() {
  if (unsynced_lost_) {
    unsynced_lost_ = false;
    return make_error(ec::io_error, "jsonl sink file " + path_.string() +
                                        ": batches written since the last fsync were cut off "
                                        "after an error");
  }
  if (fd_ < 0 || !spec_.fsync || synced_size_ == size_)
    return caf::none;
  if (::fsync(fd_) != 0) {
    auto err = sys_error("cannot fsync jsonl sink file", path_, errno);
    [[maybe_unused]] auto rc = ::ftruncate(fd_, static_cast<off_t>(synced_size_));
    close();
    return err;
  }
  synced_size_ = size_;
  return caf::none;
}

caf::error jsonl_sink_file::write(const change_batch& batch) {
  if (fd_ < 0) {
    auto f = open_active(path_, spec_.fsync);
    if (!f)
      return std::move(f.error());
    fd_ = f->fd;
    size_ = f->size;
    synced_size_ = f->size;
    torn_ += f->torn;
  }
  if (batch.documents.empty())
    return caf::none;
  if (spec_.rotate && size_ > 0 && size_ >= *spec_.rotate)
    if (auto err = rotate())
      return err;
  return write_batch(batch);
}

caf::error jsonl_sink_file::write_batch(const change_batch& batch) {
  auto before = size_;
  uint64_t written = 0;
  auto undo = [&](caf::error err) {
    // Leave no part of the batch behind; when that fails too, start over with a fresh open(),
    // which cuts a torn line.
    if (::ftruncate(fd_, static_cast<off_t>(before)) != 0) {
      unsynced_lost_ = before > synced_size_;
      close();
    }
    return err;
  };
  std::string buf;
  buf.reserve(write_chunk);
  for (auto& doc : batch.documents) {
    auto start = buf.size();
    buf += doc;
    std::replace_if(
        buf.begin() + static_cast<std::ptrdiff_t>(start), buf.end(),
        [](char c) { return c == '\n' || c == '\r'; }, ' ');
    buf += '\n';
    if (buf.size() >= write_chunk) {
      if (auto err = write_all(fd_, buf, path_))
        return undo(std::move(err));
      written += buf.size();
      buf.clear();
    }
  }
  if (!buf.empty()) {
    if (auto err = write_all(fd_, buf, path_))
      return undo(std::move(err));
    written += buf.size();
  }
  size_ = before + written;
  return caf::none;
}

caf::error jsonl_sink_file::rotate() {
  if (auto err = sync()) { // the batches written since the last sync() move with the file
    unsynced_lost_ = true; // they are cut off: the next sync() tells their writer
    return err;
  }
  auto at = clock_
                ? clock_()
                : std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::filesystem::path target;
  for (uint32_t counter = 1;; ++counter) {
    if (counter > 100000)
      return make_error(ec::io_error, "cannot rotate jsonl sink file " + path_.string() +
                                          ": too many rotated files named " +
                                          rotated_name(path_, at, 1).string() + " and up");
    target = rotated_name(path_, at, counter);
    if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0)
      break;
    if (errno == EEXIST)
      continue;
    if (errno == ENOENT && ::access(path_.c_str(), F_OK) != 0 && errno == ENOENT) {
      target.clear(); // the active file was moved away by someone else: just start a new one
      break;
    }
    if (errno != EINVAL && errno != ENOSYS)
      return sys_error("cannot rotate jsonl sink file " + path_.string() + " to", target, errno);
    // A file system without RENAME_NOREPLACE: only this sink writes here, check then rename.
    struct stat st {};
    if (::lstat(target.c_str(), &st) == 0)
      continue;
    if (::rename(path_.c_str(), target.c_str()) != 0)
      return sys_error("cannot rotate jsonl sink file " + path_.string() + " to", target, errno);
    break;
  }
  if (!target.empty())
    rotated_.push_back(target);
  close();
  size_ = 0;
  auto f = open_active(path_, spec_.fsync); // fsyncs the directory: both renames are durable
  if (!f)
    return std::move(f.error());
  fd_ = f->fd;
  size_ = f->size;
  synced_size_ = f->size;
  return caf::none;
}

} // namespace bulkd
