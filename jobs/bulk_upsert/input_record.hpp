#pragma once

// One record read from an input file of a bulk-upsert job, or the reason it could not be used.

#include "clients/cosmos/partition_key.hpp"

#include <cstdint>
#include <string>

namespace bulkd {

/// Where a record is. Resuming at `begin` (with `line`) reads this record again; at `end` (with
/// line 0: the reader counts the lines before it) the next one. In a json-array, `end` is after
/// the ',' that follows the element, or at the ']' after the last one.
struct input_position {
  uint32_t file = 0;  // index into the job's list of input files
  uint64_t line = 0;  // 1-based line where the record starts (json-array too; csv: physical line)
  uint64_t begin = 0; // byte offset of the record in the file's (decompressed) content
  uint64_t end = 0;   // offset just after it (after its newline / separator)

  friend bool operator==(const input_position&, const input_position&) = default;
};

struct input_record {
  input_position at;
  std::string document;      // compact JSON object text to send (id inserted when generated)
  std::string id;            // the document's "id"
  cosmos::partition_key key; // one value per partition key path
};

/// A record that could not be parsed, has no id, no partition key value, ...
struct rejected_record {
  input_position at;
  std::string message; // e.g. "line 17: invalid JSON: unexpected '}' at column 12"
  /// The raw record, cut to 1 KiB; invalid UTF-8 replaced by U+FFFD so that it can be written
  /// into JSON as is.
  std::string excerpt;
};

} // namespace bulkd
