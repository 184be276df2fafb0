#pragma once

// The usual process metrics of Prometheus clients, read from /proc on each refresh() (call it from
// the admin server's before-metrics hook): process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds, plus bulkd_build_info{version} 1.

#include "daemon/metrics_registry.hpp"

#include <string_view>

namespace bulkd::metrics {

class process_metrics {
public:
  process_metrics(registry& reg, std::string_view version);

  /// Updates the gauges from /proc/self; values that cannot be read keep their last value.
  void refresh();

private:
  counter& cpu_seconds_;
  gauge& resident_bytes_;
  gauge& virtual_bytes_;
  gauge& open_fds_;
  gauge& max_fds_;
  gauge& start_time_;
};

} // namespace bulkd::metrics
