#pragma once

// What the jsonl, csv and json-array readers share: the input buffer, the extractor, the current
// line, and turning a record's JSON text into an input_record or a rejected_record.

#include "jobs/bulk_upsert/input_buffer.hpp"
#include "jobs/bulk_upsert/record_extractor.hpp"
#include "jobs/bulk_upsert/record_reader.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

class format_reader : public record_reader {
public:
  /// Once read_some() fails, every later call returns the same error.
  caf::expected<bool> read(size_t max, std::vector<input_record>& out,
                           std::vector<rejected_record>& rejected) final;

  uint64_t bytes_consumed() const override { return in_.file_bytes_consumed(); }
  uint64_t total_bytes() const override { return in_.file_size(); }

protected:
  format_reader(std::string path, input_buffer in, uint32_t file, record_extractor extractor,
                reader_options options);

  /// An error that ends the file: "PATH: what".
  caf::error fatal(const std::string& what) const;

  virtual caf::expected<bool> read_some(size_t max, std::vector<input_record>& out,
                                        std::vector<rejected_record>& rejected) = 0;

  /// Where in `text` (the record at `at`) `offset` is, for messages: " at column 7".
  virtual std::string locate(std::string_view text, size_t offset, const input_position& at);

  /// Appends the record made from `text` to `out`, or why not to `rejected`.
  void emit(std::string_view text, const input_position& at, std::vector<input_record>& out,
            std::vector<rejected_record>& rejected);

  void reject(const input_position& at, const std::string& what, std::string_view raw,
              std::vector<rejected_record>& rejected);

  /// "line 4: record of 5000000 bytes is longer than the limit (4259840 bytes); skipped"
  std::string too_long(uint64_t size) const;

  std::string path_;
  input_buffer in_;
  uint32_t file_;
  record_extractor extractor_;
  reader_options options_;
  caf::error failed_;
};

/// Whether `text` holds only JSON whitespace.
bool is_blank(std::string_view text);

} // namespace bulkd
