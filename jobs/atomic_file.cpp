#include "jobs/atomic_file.hpp"

#include "clients/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace bulkd {

namespace {

caf::error sys_error(const std::string& what, const std::filesystem::path& path, int err) {
  return make_error(ec::io_error, what + " " + path.string() + ": " + std::strerror(err));
}

// Closes a descriptor and removes the temporary file unless released.
struct temp_file {
  int fd = -1;
  std::string path;
  bool keep = false;
  ~temp_file() {
    if (fd >= 0)
      ::close(fd);
    if (!keep && !path.empty())
      ::unlink(path.c_str());
  }
};

caf::error write_all(int fd, std::string_view content, const std::filesystem::path& path) {
  while (!content.empty()) {
    auto n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return sys_error("cannot write", path, errno);
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

caf::error sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sys_error("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some file systems cannot fsync a directory; the rename itself has happened.
  if (rc != 0 && err != EINVAL && err != ENOTSUP)
    return sys_error("cannot fsync directory", dir, err);
  return {};
}

} // namespace

caf::error create_private_directories(const std::filesystem::path& dir) {
  if (dir.empty())
    return {};
  std::filesystem::path current;
  for (const auto& part : dir.lexically_normal()) {
    current /= part;
    if (part.empty() || part == "/")
      continue;
    if (::mkdir(current.c_str(), 0700) == 0) {
      // The umask may have taken bits away; a directory of ours is 0700.
      if (::chmod(current.c_str(), 0700) != 0)
        return sys_error("cannot set the mode of", current, errno);
      continue;
    }
    if (errno != EEXIST)
      return sys_error("cannot create directory", current, errno);
    struct stat st {};
    if (::stat(current.c_str(), &st) != 0)
      return sys_error("cannot stat", current, errno);
    if (!S_ISDIR(st.st_mode))
      return sys_error("cannot create directory", current, ENOTDIR);
  }
  return {};
}

caf::error write_file_atomically(const std::filesystem::path& file, std::string_view content) {
  if (file.empty() || !file.has_filename())
    return make_error(ec::invalid_argument,
                      "cannot write '" + file.string() + "': not a file name");
  auto dir = file.parent_path();
  if (auto err = create_private_directories(dir))
    return err;
  auto dir_for_open = dir.empty() ? std::filesystem::path{"."} : dir;
  temp_file tmp;
  std::string pattern = (dir_for_open / ("." + file.filename().string() + ".tmp-XXXXXX")).string();
  tmp.fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (tmp.fd < 0)
    return sys_error("cannot create a temporary file for", file, errno);
  tmp.path = pattern;
  if (::fchmod(tmp.fd, 0600) != 0)
    return sys_error("cannot set the mode of", tmp.path, errno);
  if (auto err = write_all(tmp.fd, content, tmp.path))
    return err;
  if (::fsync(tmp.fd) != 0)
    return sys_error("cannot fsync", tmp.path, errno);
  int fd = tmp.fd;
  tmp.fd = -1;
  if (::close(fd) != 0)
    return sys_error("cannot close", tmp.path, errno);
  if (::rename(tmp.path.c_str(), file.c_str()) != 0)
    return sys_error("cannot rename " + tmp.path + " to", file, errno);
  tmp.keep = true;
  return sync_directory(dir_for_open);
}

} // namespace bulkd
