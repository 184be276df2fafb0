#include "jobs/bulk_upsert/input_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace bulkd {

input_buffer::input_buffer(std::unique_ptr<byte_source> source, size_t block_size)
    : source_(std::move(source)), block_size_(std::max<size_t>(block_size, 1)) {}

caf::expected<bool> input_buffer::fill() {
  if (eof_)
    return false;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() < len_ + block_size_)
    buf_.resize(len_ + block_size_);
  auto got = source_->read(buf_.data() + len_, block_size_);
  if (!got)
    return std::move(got.error());
  if (*got == 0) {
    eof_ = true;
    return false;
  }
  len_ += *got;
  return true;
}

caf::error input_buffer::skip_to(uint64_t target, uint64_t* newlines, uint64_t* line_start) {
  bool scan = newlines != nullptr || line_start != nullptr;
  while (offset_ < target) {
    auto avail = len_ - pos_;
    auto want = target - offset_;
    if (avail > 0) {
      auto n = static_cast<size_t>(std::min<uint64_t>(avail, want));
      const char* first = buf_.data() + pos_;
      if (newlines)
        *newlines += static_cast<uint64_t>(std::count(first, first + n, '\n'));
      if (line_start) {
        std::string_view skipped{first, n};
        if (auto nl = skipped.rfind('\n'); nl != std::string_view::npos)
          *line_start = offset_ + nl + 1;
      }
      consume(n);
      continue;
    }
    if (!scan) {
      if (auto err = source_->skip(want))
        return err;
      offset_ += want; // past the end, the next fill() finds nothing
      return {};
    }
    auto more = fill();
    if (!more)
      return std::move(more.error());
    if (!*more)
      return {};
  }
  return {};
}

uint64_t input_buffer::file_bytes_consumed() const {
  return source_->compressed() ? source_->file_bytes_read() : std::min(offset_, file_size());
}

} // namespace bulkd
