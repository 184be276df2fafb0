#pragma once

// Streams the records of one input file (jsonl, csv or json-array; plain or gzip) with bounded
// memory: the file is read in blocks and a record may be at most reader_options::max_record_bytes
// (longer ones are rejected and skipped without being buffered), so a reader holds about
// max_record_bytes + 2 blocks whatever the file size.
//
// Rejected records say why, starting with their line: "line 17: invalid JSON: unexpected '}' at
// column 12", "line 3: invalid UTF-8 at column 9", "line 5: expected a JSON object, found an
// array", "line 8: no id at /id (...)", "line 9: the id at /id is a number; Cosmos DB ids must be
// strings", "line 4: no partition key value at /pk", "line 6: column \"age\": \"x\" is not a
// number", "line 7: 3 fields, but the header has 4 columns", "line 2: record of N bytes is longer
// than the limit (M bytes); skipped". Errors that end a file name it: "PATH: not a JSON array:
// expected '[' at line 1, column 1 (offset 0), found '{'".

#include "jobs/bulk_upsert/input_record.hpp"
#include "jobs/bulk_upsert_spec.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bulkd {

struct record_extraction {
  std::string id_path = "/id";                  // JSON pointer
  bool generate_id = false;                     // random UUID v4 when missing
  std::vector<std::string> partition_key_paths; // from the container definition or spec override
};

/// Where to start reading, from a checkpoint; {0,0} = the start. `offset` is in the decompressed
/// content and must be a record boundary; `line` is the line of the record there (0 = count it).
struct resume_point {
  uint64_t offset = 0;
  uint64_t line = 0;

  friend bool operator==(const resume_point&, const resume_point&) = default;
};

/// Tuning knobs; the defaults are what jobs use, tests make them tiny.
struct reader_options {
  size_t block_size = 1 << 20;                      // bytes read from disk at a time
  size_t max_record_bytes = (4 << 20) + (64 << 10); // longer records are rejected, skipped
};

class record_reader {
public:
  static caf::expected<std::unique_ptr<record_reader>>
  open(const std::string& path, uint32_t file_index, const input_source& source,
       record_extraction extraction, resume_point from = {});

  static caf::expected<std::unique_ptr<record_reader>>
  open(const std::string& path, uint32_t file_index, const input_source& source,
       record_extraction extraction, resume_point from, reader_options options);

  virtual ~record_reader();

  /// Appends up to `max` records to `out` and rejected ones to `rejected` (both count towards
  /// `max`); false at end of input (records appended by that last call are valid). An error (I/O,
  /// corrupt gzip, a json-array that is not an array) ends the file.
  virtual caf::expected<bool> read(size_t max, std::vector<input_record>& out,
                                   std::vector<rejected_record>& rejected) = 0;

  virtual uint64_t bytes_consumed() const = 0; // of the file on disk (compressed), for ETA
  virtual uint64_t total_bytes() const = 0;    // file size on disk
};

/// Expands source.path (jobs/glob.hpp; `*` does not cross '/', does not match a leading '.'),
/// sorted by name; an error when nothing matches.
caf::expected<std::vector<std::string>> list_input_files(const input_source& source);

} // namespace bulkd
