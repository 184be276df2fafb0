#pragma once

// A window over a byte_source: readers look at data(), consume() what they used and fill() more.
// It holds at most one partial record plus a block, so memory does not grow with the file.

#include "jobs/bulk_upsert/byte_source.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace bulkd {

class input_buffer {
public:
  input_buffer(std::unique_ptr<byte_source> source, size_t block_size);

  /// The bytes read and not yet consumed.
  std::string_view data() const { return {buf_.data() + pos_, len_ - pos_}; }

  /// Content offset of data().front().
  uint64_t offset() const { return offset_; }

  void consume(size_t n) {
    pos_ += n;
    offset_ += n;
  }

  /// Appends one more block to data(); false (and eof()) at the end of the content.
  caf::expected<bool> fill();

  bool eof() const { return eof_; }

  /// Moves to content offset `target` (>= offset()); counts the newlines skipped into `newlines`
  /// and sets `line_start` to the offset after the last one skipped (left alone when none was)
  /// when given (either forces reading instead of seeking).
  caf::error skip_to(uint64_t target, uint64_t* newlines = nullptr, uint64_t* line_start = nullptr);

  /// For progress: compressed bytes read for gzip, else the offset.
  uint64_t file_bytes_consumed() const;

  uint64_t file_size() const { return source_->file_size(); }

private:
  std::unique_ptr<byte_source> source_;
  size_t block_size_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t len_ = 0;
  uint64_t offset_ = 0;
  bool eof_ = false;
};

} // namespace bulkd
