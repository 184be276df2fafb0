#pragma once

// A problem found in a config or job file: where (file:line:column and key path), what, how bad.

#include <string>
#include <vector>

namespace bulkd {

enum class severity { error, warning };

struct diagnostic {
  std::string file;
  int line = 0;     // 1-based; 0 when the problem has no position (a whole file, a directory)
  int column = 0;   // 1-based
  std::string path; // key path such as `sink.path` or `jobs[2].sink.path`; may be empty
  std::string message;
  severity level = severity::error;
};

using diagnostics = std::vector<diagnostic>;

/// "file:line:col: error: sink.path: message" (parts without a value are left out).
std::string render(const diagnostic& d);

const char* to_string(severity s);

bool has_errors(const diagnostics& ds);

size_t count(const diagnostics& ds, severity s);

} // namespace bulkd
