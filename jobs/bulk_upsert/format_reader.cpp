#include "jobs/bulk_upsert/format_reader.hpp"

#include "clients/error.hpp"
#include "jobs/bulk_upsert/utf8.hpp"

namespace bulkd {

format_reader::format_reader(std::string path, input_buffer in, uint32_t file,
                             record_extractor extractor, reader_options options)
    : path_(std::move(path)), in_(std::move(in)), file_(file), extractor_(std::move(extractor)),
      options_(options) {}

caf::expected<bool> format_reader::read(size_t max, std::vector<input_record>& out,
                                        std::vector<rejected_record>& rejected) {
  if (failed_)
    return failed_;
  auto more = read_some(max, out, rejected);
  if (!more)
    failed_ = more.error();
  return more;
}

std::string format_reader::locate(std::string_view, size_t offset, const input_position&) {
  return " at column " + std::to_string(offset + 1);
}

void format_reader::emit(std::string_view text, const input_position& at,
                         std::vector<input_record>& out, std::vector<rejected_record>& rejected) {
  auto& rec = out.emplace_back();
  rec.document.reserve(text.size() + 64);
  if (auto failure = extractor_.extract(text, rec)) {
    out.pop_back();
    auto what = std::move(failure->what);
    if (failure->offset)
      what += locate(text, *failure->offset, at);
    reject(at, what, text, rejected);
    return;
  }
  rec.at = at;
}

void format_reader::reject(const input_position& at, const std::string& what, std::string_view raw,
                           std::vector<rejected_record>& rejected) {
  rejected.push_back(
      rejected_record{at, "line " + std::to_string(at.line) + ": " + what, utf8_excerpt(raw)});
}

std::string format_reader::too_long(uint64_t size) const {
  return "record of " + std::to_string(size) + " bytes is longer than the limit (" +
         std::to_string(options_.max_record_bytes) + " bytes); skipped";
}

caf::error format_reader::fatal(const std::string& what) const {
  return make_error(ec::parse_error, path_ + ": " + what);
}

bool is_blank(std::string_view text) {
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
      return false;
  return true;
}

} // namespace bulkd
