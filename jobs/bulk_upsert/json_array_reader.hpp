#pragma once

// A JSON array of objects, streamed element by element: only one element is in memory at a time.
// An element that is not valid JSON is rejected when its end can still be found (brackets and
// strings balance); a broken array (no '[', a missing ',' or ']', the end of the file inside an
// element) is an error that ends the file.

#include "jobs/bulk_upsert/format_reader.hpp"

namespace bulkd {

class json_array_reader final : public format_reader {
public:
  /// `from.offset` > 0 must be an element boundary (an input_position::end), `from.line` its line
  /// (not 0) and `line_start` where that line begins (for columns in messages).
  json_array_reader(std::string path, input_buffer in, uint32_t file, record_extractor extractor,
                    reader_options options, resume_point from, uint64_t line_start);

  caf::expected<bool> read_some(size_t max, std::vector<input_record>& out,
                                std::vector<rejected_record>& rejected) override;

protected:
  std::string locate(std::string_view text, size_t offset, const input_position& at) override;

private:
  enum class state { before_array, in_array, after_comma, after_array, done };

  /// Skips whitespace (counting lines); false at the end of the content.
  caf::expected<bool> skip_ws();

  /// Where the reader is, for errors: "line 3, column 5 (offset 40)".
  std::string here() const;

  std::string describe_next() const;

  state state_;
  uint64_t line_;
  uint64_t line_start_; // content offset where the current line starts
  uint64_t element_line_start_ = 0;
};

} // namespace bulkd
