#pragma once

// The content of an input file, plain or gzip-compressed, read block by block.

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace bulkd {

class byte_source {
public:
  /// Opens `path`; with `gzip`, the content is the decompressed data of all gzip members.
  static caf::expected<std::unique_ptr<byte_source>> open(const std::string& path, bool gzip,
                                                          size_t block_size);

  virtual ~byte_source();

  /// Reads up to `n` bytes of content into `dst`; 0 at the end. Errors: I/O, corrupt or
  /// truncated gzip data.
  virtual caf::expected<size_t> read(char* dst, size_t n) = 0;

  /// Skips `n` bytes of content (fewer at the end).
  virtual caf::error skip(uint64_t n) = 0;

  /// Bytes of the file read so far (compressed bytes for gzip).
  virtual uint64_t file_bytes_read() const = 0;

  virtual bool compressed() const = 0;

  uint64_t file_size() const { return file_size_; }

protected:
  byte_source(std::string path, int fd, uint64_t size);

  std::string path_;
  int fd_;
  uint64_t file_size_;
};

} // namespace bulkd
