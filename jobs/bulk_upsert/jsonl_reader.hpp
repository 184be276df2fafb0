#pragma once

// JSON lines: one object per line; blank lines are skipped (and counted), CRLF and a leading
// UTF-8 BOM are accepted.

#include "jobs/bulk_upsert/format_reader.hpp"

namespace bulkd {

class jsonl_reader final : public format_reader {
public:
  jsonl_reader(std::string path, input_buffer in, uint32_t file, record_extractor extractor,
               reader_options options, uint64_t line);

  caf::expected<bool> read_some(size_t max, std::vector<input_record>& out,
                                std::vector<rejected_record>& rejected) override;

private:
  /// Skips the rest of an over-long line; its total size.
  caf::expected<uint64_t> skip_line();

  uint64_t line_;
  size_t scanned_ = 0; // bytes of data() known to hold no '\n'
  bool at_start_;
};

} // namespace bulkd
