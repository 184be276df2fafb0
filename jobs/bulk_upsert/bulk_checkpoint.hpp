#pragma once

// The checkpoint of a bulk-upsert job, <state_dir>/checkpoints/<job>.json: how the input was read
// (the spec fields that decide where records begin and which document each becomes), and per
// input file its fingerprint when it was read and the offset below which every record has settled.
//
// {"version":2,"reading":{"format":"jsonl","compression":"auto","id_path":"/id",
//   "generate_id":false,"partition_key_path":"","csv_delimiter":"","csv_columns":[]},
//  "files":[{"path":"/data/a.jsonl","size":123,"mtime_ns":1700000000000000000,"offset":100,
//   "line":3,"finished":false}]}
// Version 1 (written before "reading" existed) still loads, without it.

#include "jobs/bulk_upsert/record_reader.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

struct file_fingerprint {
  uint64_t size = 0;
  int64_t mtime_ns = 0;

  friend bool operator==(const file_fingerprint&, const file_fingerprint&) = default;
};

struct file_checkpoint {
  std::string path;
  file_fingerprint fingerprint;
  resume_point settled;
  bool finished = false;
};

/// The spec fields that decide how records are read: a checkpoint's offsets hold only for the
/// same ones. The csv fields are empty unless the format is csv.
struct reading_spec {
  std::string format;      // enum_name(input_format)
  std::string compression; // enum_name(input_compression)
  std::string id_path;
  bool generate_id = false;
  std::string partition_key_path; // the override; empty = the container's
  std::string csv_delimiter;
  std::vector<std::string> csv_columns; // "name:type", in spec order

  friend bool operator==(const reading_spec&, const reading_spec&) = default;
};

reading_spec reading_spec_of(const bulk_upsert_spec& spec);

/// What differs, one entry per field: `format: "jsonl" -> "csv"`.
std::vector<std::string> reading_changes(const reading_spec& was, const reading_spec& now);

struct bulk_checkpoint {
  std::optional<reading_spec> reading; // absent in version 1 checkpoints
  std::vector<file_checkpoint> files;
};

/// The format version written by save_bulk_checkpoint; load reads it and version 1.
inline constexpr int bulk_checkpoint_version = 2;

/// An error when `cp` (loaded from `file`) holds offsets read with other settings than `now`,
/// naming the file, what changed and how to start over; none when it holds no files or was
/// written without the reading settings (version 1).
caf::error check_reading(const bulk_checkpoint& cp, const reading_spec& now,
                         const std::filesystem::path& file);

/// <state_dir>/checkpoints/<job>.json
std::filesystem::path bulk_checkpoint_path(const std::filesystem::path& state_dir,
                                           std::string_view job);

/// A missing file is an empty checkpoint. A file that cannot be read or parsed is an error naming
/// the file (never silently an empty checkpoint, which would load everything again).
caf::expected<bulk_checkpoint> load_bulk_checkpoint(const std::filesystem::path& file);

/// Writes atomically (write_file_atomically), mode 0600.
caf::error save_bulk_checkpoint(const std::filesystem::path& file, const bulk_checkpoint& cp);

/// Size and modification time (nanoseconds) of a file; an error naming it when stat fails.
caf::expected<file_fingerprint> fingerprint_of(const std::string& path);

/// A path as a checkpoint stores it: bytes that are not UTF-8 become U+FFFD.
std::string as_stored(const std::string& path);

/// The entry for `path` (or for as_stored(path)), or nullptr.
const file_checkpoint* find_file(const bulk_checkpoint& cp, const std::string& path);

/// Replaces the entry with the same path, or appends it.
void set_file(bulk_checkpoint& cp, file_checkpoint entry);

/// Where to start a file: finished with the same fingerprint => skip; same fingerprint => resume;
/// changed or new => from the start.
struct file_plan {
  bool skip = false;
  resume_point from;
};

file_plan plan_file(const bulk_checkpoint& cp, const std::string& path,
                    const file_fingerprint& now);

} // namespace bulkd
