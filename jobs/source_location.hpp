#pragma once

// Where a loaded value came from. Positions do not take part in comparisons: two specs that say
// the same thing are equal wherever they were written.

#include <string>

namespace bulkd {

struct source_location {
  std::string file;
  int line = 0;   // 1-based, 0 = unknown
  int column = 0; // 1-based, 0 = unknown

  friend bool operator==(const source_location&, const source_location&) { return true; }
};

} // namespace bulkd
