#include "jobs/dead_letter_writer.hpp"

#include "clients/error.hpp"
#include "jobs/atomic_file.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace bulkd {

namespace {

caf::error sys_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(ec::io_error, what + " " + path.string() + ": " + std::strerror(err));
}

// Whether a record is worth parsing as JSON: documents are objects or arrays, and a raw line that
// happens to be a number or a bare word stays text.
bool looks_structured(std::string_view text) {
  auto pos = text.find_first_not_of(" \t\r\n");
  return pos != std::string_view::npos && (text[pos] == '{' || text[pos] == '[');
}

} // namespace

std::string to_json_line(const dead_letter& entry, utc_time at) {
  nlohmann::json line = nlohmann::json::object();
  line["time"] = format_rfc3339(at);
  line["source_file"] = entry.source_file;
  line["line"] = entry.line;
  line["status"] = entry.status;
  line["substatus"] = entry.substatus;
  line["message"] = entry.message;
  line["id"] = entry.id;
  nlohmann::json record;
  if (looks_structured(entry.record))
    record = nlohmann::json::parse(entry.record, nullptr, false);
  if (record.is_discarded() || record.is_null())
    record = entry.record;
  line["record"] = std::move(record);
  // Invalid UTF-8 (a raw line from a broken file) becomes U+FFFD instead of an exception.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

dead_letter_writer::dead_letter_writer(int fd, std::filesystem::path path)
    : fd_(fd), path_(std::move(path)) {}

dead_letter_writer::dead_letter_writer(dead_letter_writer&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)),
      written_(std::exchange(other.written_, 0)) {}

dead_letter_writer& dead_letter_writer::operator=(dead_letter_writer&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    written_ = std::exchange(other.written_, 0);
  }
  return *this;
}

dead_letter_writer::~dead_letter_writer() {
  if (fd_ >= 0)
    ::close(fd_);
}

caf::expected<dead_letter_writer> dead_letter_writer::open(const std::filesystem::path& file) {
  if (file.empty() || !file.has_filename())
    return make_error(ec::invalid_argument,
                      "dead-letter file '" + file.string() + "': not a file name");
  if (auto err = create_private_directories(file.parent_path()))
    return err;
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    if (::fchmod(fd, 0600) != 0) {
      auto err = errno;
      ::close(fd);
      return sys_error("cannot set the mode of", file, err);
    }
  } else if (errno == EEXIST) {
    fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0)
    return sys_error("cannot open dead-letter file", file, errno);
  return dead_letter_writer{fd, file};
}

caf::error dead_letter_writer::append(const dead_letter& entry) {
  auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return append(entry, now);
}

caf::error dead_letter_writer::append(const dead_letter& entry, utc_time at) {
  return append_line(to_json_line(entry, at));
}

caf::error dead_letter_writer::append_line(std::string text) {
  if (fd_ < 0)
    return make_error(ec::io_error, "dead-letter file " + path_.string() + " is not open");
  text += '\n';
  std::string_view rest = text;
  while (!rest.empty()) {
    auto n = ::write(fd_, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return sys_error("cannot write dead-letter file", path_, errno);
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  ++written_;
  return {};
}

caf::error dead_letter_writer::sync() {
  if (fd_ < 0)
    return make_error(ec::io_error, "dead-letter file " + path_.string() + " is not open");
  if (::fsync(fd_) != 0)
    return sys_error("cannot fsync dead-letter file", path_, errno);
  return {};
}

} // namespace bulkd
