#include "jobs/bulk_upsert/byte_source.hpp"

#include "clients/error.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace bulkd {

namespace {

caf::error io_failure(const std::string& what, const std::string& path) {
  return make_error(ec::io_error, what + " " + path + ": " + std::strerror(errno));
}

ssize_t read_some(int fd, char* dst, size_t n) {
  for (;;) {
    auto r = ::read(fd, dst, n);
    if (r >= 0 || errno != EINTR)
      return r;
  }
}

class plain_source final : public byte_source {
public:
  plain_source(std::string path, int fd, uint64_t size) : byte_source(std::move(path), fd, size) {}

  caf::expected<size_t> read(char* dst, size_t n) override {
    auto r = read_some(fd_, dst, n);
    if (r < 0)
      return io_failure("cannot read", path_);
    read_ += static_cast<uint64_t>(r);
    return static_cast<size_t>(r);
  }

  caf::error skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) < 0)
      return io_failure("cannot seek in", path_);
    read_ += n;
    return {};
  }

  uint64_t file_bytes_read() const override { return std::min(read_, file_size_); }

  bool compressed() const override { return false; }

private:
  uint64_t read_ = 0;
};

class gzip_source final : public byte_source {
public:
  gzip_source(std::string path, int fd, uint64_t size, size_t block_size)
      : byte_source(std::move(path), fd, size), in_(block_size) {
    std::memset(&zs_, 0, sizeof(zs_));
  }

  ~gzip_source() override {
    if (initialized_)
      inflateEnd(&zs_);
  }

  caf::error init() {
    if (inflateInit2(&zs_, 15 + 16) != Z_OK)
      return make_error(ec::unspecified, "cannot initialize zlib");
    initialized_ = true;
    return {};
  }

  caf::expected<size_t> read(char* dst, size_t n) override {
    zs_.next_out = reinterpret_cast<Bytef*>(dst);
    zs_.avail_out = static_cast<uInt>(n);
    while (zs_.avail_out == n) {
      if (zs_.avail_in == 0 && !input_end_) {
        auto r = read_some(fd_, reinterpret_cast<char*>(in_.data()), in_.size());
        if (r < 0)
          return io_failure("cannot read", path_);
        if (r == 0) {
          input_end_ = true;
        } else {
          read_ += static_cast<uint64_t>(r);
          zs_.next_in = in_.data();
          zs_.avail_in = static_cast<uInt>(r);
        }
      }
      if (member_done_) {
        if (zs_.avail_in == 0 && input_end_)
          break;
        if (zs_.avail_in == 0)
          continue;
        inflateReset(&zs_); // another gzip member follows
        member_done_ = false;
      }
      if (zs_.avail_in == 0 && input_end_) {
        if (read_ == 0)
          break; // an empty file: no content
        return make_error(ec::parse_error, "truncated gzip data in " + path_ +
                                               ": the file ends after " + std::to_string(read_) +
                                               " bytes, inside a compressed stream");
      }
      auto rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_done_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return make_error(ec::parse_error, "corrupt gzip data in " + path_ +
                                               " near compressed offset " +
                                               std::to_string(read_ - zs_.avail_in) + ": " +
                                               (zs_.msg ? zs_.msg : "error " + std::to_string(rc)));
      }
    }
    return n - zs_.avail_out;
  }

  caf::error skip(uint64_t n) override {
    std::vector<char> scratch(std::min<uint64_t>(n, 1 << 16));
    while (n > 0) {
      auto got = read(scratch.data(), std::min<uint64_t>(n, scratch.size()));
      if (!got)
        return std::move(got.error());
      if (*got == 0)
        break;
      n -= *got;
    }
    return {};
  }

  uint64_t file_bytes_read() const override { return read_ - zs_.avail_in; }

  bool compressed() const override { return true; }

private:
  std::vector<Bytef> in_;
  z_stream zs_;
  bool initialized_ = false;
  bool input_end_ = false;
  bool member_done_ = false;
  uint64_t read_ = 0;
};

} // namespace

byte_source::byte_source(std::string path, int fd, uint64_t size)
    : path_(std::move(path)), fd_(fd), file_size_(size) {}

byte_source::~byte_source() {
  ::close(fd_);
}

caf::expected<std::unique_ptr<byte_source>> byte_source::open(const std::string& path, bool gzip,
                                                              size_t block_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return io_failure("cannot open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    auto err = io_failure("cannot stat", path);
    ::close(fd);
    return err;
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return make_error(ec::io_error, "cannot read " + path + ": it is a directory");
  }
  auto size = static_cast<uint64_t>(st.st_size);
  if (!gzip)
    return std::unique_ptr<byte_source>{new plain_source(path, fd, size)};
  auto src = std::make_unique<gzip_source>(path, fd, size, block_size);
  if (auto err = src->init())
    return err;
  return std::unique_ptr<byte_source>{std::move(src)};
}

} // namespace bulkd
