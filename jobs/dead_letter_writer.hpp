#pragma once

// The dead-letter file: JSON lines, one object per record that could not be written, with where it
// came from and why:
// {"time":"2026-01-31T12:00:00.250Z","source_file":"a.jsonl","line":17,"status":400,
//  "substatus":0,"message":"...","id":"x","record":{...}}
// `record` is the document when it is a JSON object or array, otherwise the raw text as a JSON
// string (so "42" or a CSV row stays text). Invalid UTF-8 becomes U+FFFD.

#include "jobs/timestamp.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace bulkd {

struct dead_letter {
  std::string source_file;
  uint64_t line = 0;
  int status = 0;
  int substatus = 0;
  std::string message;
  std::string id;
  std::string record; // raw text or document
};

/// One JSON line (without the newline) for an entry.
std::string to_json_line(const dead_letter& entry, utc_time at);

class dead_letter_writer {
public:
  /// Opens for appending (mode 0600 when created; parent directories created 0700).
  static caf::expected<dead_letter_writer> open(const std::filesystem::path& file);

  dead_letter_writer(dead_letter_writer&& other) noexcept;
  dead_letter_writer& operator=(dead_letter_writer&& other) noexcept;
  dead_letter_writer(const dead_letter_writer&) = delete;
  dead_letter_writer& operator=(const dead_letter_writer&) = delete;
  ~dead_letter_writer();

  /// Appends one line stamped with the current time.
  caf::error append(const dead_letter& entry);
  caf::error append(const dead_letter& entry, utc_time at);

  /// Appends a line another kind of job formatted (without the newline; one JSON object).
  caf::error append_line(std::string line);

  /// fsync: call before a checkpoint that covers the entries.
  caf::error sync();

  /// Entries appended through this writer.
  uint64_t written() const { return written_; }

  const std::filesystem::path& path() const { return path_; }

private:
  dead_letter_writer(int fd, std::filesystem::path path);

  int fd_ = -1;
  std::filesystem::path path_;
  uint64_t written_ = 0;
};

} // namespace bulkd
