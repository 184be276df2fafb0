#include "jobs/diagnostic.hpp"

#include <algorithm>

namespace bulkd {

const char* to_string(severity s) {
  return s == severity::error ? "error" : "warning";
}

std::string render(const diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) {
    out += ':' + std::to_string(d.line);
    if (d.column > 0)
      out += ':' + std::to_string(d.column);
  }
  if (!out.empty())
    out += ": ";
  out += to_string(d.level);
  out += ": ";
  if (!d.path.empty()) {
    out += d.path;
    out += ": ";
  }
  out += d.message;
  return out;
}

bool has_errors(const diagnostics& ds) {
  return count(ds, severity::error) > 0;
}

size_t count(const diagnostics& ds, severity s) {
  return static_cast<size_t>(
      std::count_if(ds.begin(), ds.end(), [s](const diagnostic& d) { return d.level == s; }));
}

} // namespace bulkd
