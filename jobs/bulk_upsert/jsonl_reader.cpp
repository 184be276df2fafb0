#include "jobs/bulk_upsert/jsonl_reader.hpp"

#include <cstring>

namespace bulkd {

jsonl_reader::jsonl_reader(std::string path, input_buffer in, uint32_t file,
                           record_extractor extractor, reader_options options, uint64_t line)
    : format_reader(std::move(path), std::move(in), file, std::move(extractor), options),
      line_(line), at_start_(in_.offset() == 0) {}

caf::expected<uint64_t> jsonl_reader::skip_line() {
  uint64_t size = 0;
  for (;;) {
    auto d = in_.data();
    if (auto nl = static_cast<const char*>(std::memchr(d.data(), '\n', d.size()))) {
      auto n = static_cast<size_t>(nl - d.data()) + 1;
      in_.consume(n);
      return size + n - 1;
    }
    size += d.size();
    in_.consume(d.size());
    auto more = in_.fill();
    if (!more)
      return std::move(more.error());
    if (!*more)
      return size;
  }
}

caf::expected<bool> jsonl_reader::read_some(size_t max, std::vector<input_record>& out,
                                            std::vector<rejected_record>& rejected) {
  size_t produced = 0;
  while (produced < max) {
    auto d = in_.data();
    if (at_start_) {
      if (d.size() < 3 && !in_.eof()) {
        auto more = in_.fill();
        if (!more)
          return std::move(more.error());
        continue;
      }
      at_start_ = false;
      if (d.substr(0, 3) == "\xEF\xBB\xBF") {
        in_.consume(3);
        continue;
      }
    }
    // memchr with a null pointer is undefined even for 0 bytes (an empty view's data() is null).
    auto nl =
        scanned_ < d.size()
            ? static_cast<const char*>(std::memchr(d.data() + scanned_, '\n', d.size() - scanned_))
            : nullptr;
    if (!nl) {
      scanned_ = d.size();
      if (d.size() > options_.max_record_bytes) {
        input_position at{file_, line_, in_.offset(), 0};
        std::string head{d.substr(0, 1024)};
        auto size = skip_line();
        if (!size)
          return std::move(size.error());
        scanned_ = 0;
        at.end = in_.offset();
        ++line_;
        reject(at, too_long(*size), head, rejected);
        ++produced;
        continue;
      }
      if (!in_.eof()) {
        auto more = in_.fill();
        if (!more)
          return std::move(more.error());
        continue;
      }
      if (d.empty())
        return false;
      nl = d.data() + d.size(); // the last line has no newline
    }
    scanned_ = 0;
    auto len = static_cast<size_t>(nl - d.data());
    auto consumed = std::min(len + 1, d.size());
    auto text = d.substr(0, len);
    if (!text.empty() && text.back() == '\r')
      text.remove_suffix(1);
    input_position at{file_, line_, in_.offset(), in_.offset() + consumed};
    ++line_;
    if (!is_blank(text)) {
      if (len > options_.max_record_bytes)
        reject(at, too_long(len), text.substr(0, 1024), rejected);
      else
        emit(text, at, out, rejected);
      ++produced;
    }
    in_.consume(consumed);
  }
  return true;
}

} // namespace bulkd
