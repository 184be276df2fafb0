#pragma once

// Turns the JSON text of one record into an input_record: validates and compacts it, finds the id
// (generating one when asked) and the partition key values.

#include "jobs/bulk_upsert/input_record.hpp"
#include "jobs/bulk_upsert/json_compactor.hpp"
#include "jobs/bulk_upsert/record_reader.hpp"

#include <caf/expected.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace bulkd {

struct extraction_failure {
  std::string what;             // "invalid JSON: unexpected '}'", "no id at /id", ...
  std::optional<size_t> offset; // into the text, for syntax and UTF-8 errors
};

class record_extractor {
public:
  /// Checks the pointers: the error names a bad one.
  static caf::expected<record_extractor> make(const record_extraction& extraction);

  /// Fills rec.document, rec.id and rec.key from `text` (rec.at is left alone).
  std::optional<extraction_failure> extract(std::string_view text, input_record& rec);

private:
  record_extractor() = default;

  json_pointer id_path_;
  bool generate_id_ = false;
  std::vector<json_pointer> key_paths_;
  json_compactor compactor_;
};

} // namespace bulkd
