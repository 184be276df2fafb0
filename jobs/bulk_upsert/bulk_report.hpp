#pragma once

// The outcome of a bulk-upsert run: counts that add up (read == written + dead_lettered + rejected
// at the end), as JSON for --report FILE, as a table for the terminal and as a live progress line.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bulkd {

struct bulk_counts {
  uint64_t read = 0, written = 0, dead_lettered = 0, rejected = 0;
  uint64_t retries = 0, throttles = 0, rebatches = 0, routing_refreshes = 0;
  double request_charge = 0;
  uint64_t bytes_read = 0, bytes_total = 0;
  /// Per physical range id: requests sent and not yet answered (a gauge, for metrics).
  std::map<std::string, uint64_t> in_flight_by_range;
};

struct bulk_report {
  std::string job;
  bulk_counts counts;
  double seconds = 0;
  std::vector<std::string> files;
  bool ok = true;
  std::string error;
};

/// {"job":..,"ok":..,"error":null|"..","seconds":..,"files":[..],"read":..,"written":..,
///  "dead_lettered":..,"rejected":..,"retries":..,"throttles":..,"rebatches":..,
///  "routing_refreshes":..,"request_charge":..,"docs_per_second":..,"ru_per_second":..}
/// docs_per_second counts written documents. Ends in a newline.
std::string to_json(const bulk_report& r);

/// A table for the terminal (several lines, ending in a newline).
std::string render_summary(const bulk_report& r);

/// One line without newline: written docs, docs/s, RU/s, throttles, percent of bytes and ETA
/// ("ETA —" while unknown).
std::string render_progress_line(const bulk_counts& c, double seconds);

} // namespace bulkd
