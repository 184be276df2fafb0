#pragma once

// CSV (RFC 4180) with a header row naming the columns: quoted fields with "" escapes and embedded
// newlines, a configurable delimiter, CRLF, a leading UTF-8 BOM. Each row becomes a JSON object
// whose members are the columns, converted by their type (string unless csv_options says
// otherwise). An empty field in a number, boolean or json column is null. A quote inside an
// unquoted field is taken literally (x"y), as most CSV writers and readers do.

#include "jobs/bulk_upsert/format_reader.hpp"
#include "jobs/bulk_upsert_spec.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bulkd {

class csv_reader final : public format_reader {
public:
  /// Reads the header row, then moves to `from`.
  static caf::expected<std::unique_ptr<record_reader>>
  make(std::string path, input_buffer in, uint32_t file, record_extractor extractor,
       reader_options options, const csv_options& csv, resume_point from);

  caf::expected<bool> read_some(size_t max, std::vector<input_record>& out,
                                std::vector<rejected_record>& rejected) override;

private:
  csv_reader(std::string path, input_buffer in, uint32_t file, record_extractor extractor,
             reader_options options, char delimiter);

  struct raw_record {
    std::string_view text; // without the line break
    size_t size = 0;       // bytes to consume, with the line break
    uint64_t lines = 0;    // line breaks in it
    bool unterminated = false;
    size_t break_size = 0; // of the line break at its end (0, 1 or 2)
  };

  /// The next record in the buffer (filling it as needed); nullopt at the end. A record longer
  /// than the limit comes back with an empty text and its size, already consumed.
  caf::expected<std::optional<raw_record>> next_record(bool& too_long);

  /// Splits a record into fields; nullopt and `error` set on a quoting error.
  bool split(std::string_view text, std::string& error);

  caf::error read_header(const csv_options& csv);

  char delimiter_;
  uint64_t line_ = 1;
  std::vector<std::string> names_; // JSON-quoted, with the ':'
  std::vector<std::string> plain_names_;
  std::vector<csv_column_type> types_;
  std::vector<std::string> fields_;
  std::string json_;
  json_compactor json_column_;
  std::string scratch_;
};

} // namespace bulkd
