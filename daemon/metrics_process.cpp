#include "daemon/metrics_process.hpp"

#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace bulkd::metrics {

namespace {

// The fields of /proc/self/stat after the command name, which may contain spaces: index 0 is the
// state (field 3 in proc(5)).
std::vector<std::string> stat_fields() {
  std::ifstream in{"/proc/self/stat"};
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos)
    return fields;
  std::istringstream rest{line.substr(close + 1)};
  for (std::string f; rest >> f;)
    fields.push_back(f);
  return fields;
}

double num(const std::string& text) {
  return std::strtod(text.c_str(), nullptr);
}

double boot_time_seconds() {
  std::ifstream in{"/proc/stat"};
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double value = 0;
      in >> value;
      return value;
    }
    std::string ignored;
    std::getline(in, ignored);
  }
  return 0;
}

// Counts /proc/self/fd entries other than ".", ".." and the directory's own descriptor.
double open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr)
    return -1;
  double n = 0;
  while (auto* entry = ::readdir(dir))
    if (entry->d_name[0] != '.')
      ++n;
  ::closedir(dir);
  return n - 1;
}

} // namespace

process_metrics::process_metrics(registry& reg, std::string_view version)
    : cpu_seconds_(reg.counter_family("process_cpu_seconds_total",
                                      "Total user and system CPU time spent in seconds.")
                       .get()),
      resident_bytes_(
          reg.gauge_family("process_resident_memory_bytes", "Resident memory size in bytes.")
              .get()),
      virtual_bytes_(
          reg.gauge_family("process_virtual_memory_bytes", "Virtual memory size in bytes.").get()),
      open_fds_(reg.gauge_family("process_open_fds", "Number of open file descriptors.").get()),
      max_fds_(
          reg.gauge_family("process_max_fds", "Maximum number of open file descriptors.").get()),
      start_time_(reg.gauge_family("process_start_time_seconds",
                                   "Start time of the process since the Unix epoch in seconds.")
                      .get()) {
  reg.gauge_family("bulkd_build_info", "bulkd's version; the value is always 1.", {"version"})
      .with({version})
      .set(1);
  refresh();
}

void process_metrics::refresh() {
  auto fields = stat_fields();
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  // proc(5) numbering: utime 14, stime 15, starttime 22, vsize 23, rss 24; fields[0] is field 3.
  if (fields.size() > 21 && ticks > 0) {
    auto cpu = (num(fields[11]) + num(fields[12])) / ticks;
    cpu_seconds_.inc(cpu - cpu_seconds_.value()); // a counter: only the increase is added
    start_time_.set(boot_time_seconds() + num(fields[19]) / ticks);
    virtual_bytes_.set(num(fields[20]));
    resident_bytes_.set(num(fields[21]) * page);
  }
  if (auto n = open_fds(); n >= 0)
    open_fds_.set(n);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
    max_fds_.set(limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<double>(limit.rlim_cur));
}

} // namespace bulkd::metrics
