#include "jobs/bulk_upsert/bulk_report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace bulkd {

namespace {

double per_second(double amount, double seconds) {
  return seconds > 0 ? amount / seconds : 0.0;
}

// 1234567 -> "1,234,567"
std::string grouped(uint64_t n) {
  auto digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

std::string grouped(double x) {
  if (!std::isfinite(x) || x < 0)
    return "0";
  if (x >= 1e18)
    return ">1e18";
  return grouped(static_cast<uint64_t>(std::llround(x)));
}

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

// 59 -> "59s", 125 -> "2m05s", 7380 -> "2h03m"
std::string short_duration(double seconds) {
  if (!(seconds < 100 * 86400.0))
    return ">100d";
  auto s = static_cast<uint64_t>(std::llround(seconds));
  char buf[64];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(s));
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60));
  return buf;
}

} // namespace

std::string to_json(const bulk_report& r) {
  const auto& c = r.counts;
  nlohmann::ordered_json j;
  j["job"] = r.job;
  j["ok"] = r.ok;
  j["error"] = r.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.error);
  j["seconds"] = r.seconds;
  j["files"] = r.files;
  j["read"] = c.read;
  j["written"] = c.written;
  j["dead_lettered"] = c.dead_lettered;
  j["rejected"] = c.rejected;
  j["retries"] = c.retries;
  j["throttles"] = c.throttles;
  j["rebatches"] = c.rebatches;
  j["routing_refreshes"] = c.routing_refreshes;
  j["request_charge"] = c.request_charge;
  j["docs_per_second"] = per_second(static_cast<double>(c.written), r.seconds);
  j["ru_per_second"] = per_second(c.request_charge, r.seconds);
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string render_summary(const bulk_report& r) {
  const auto& c = r.counts;
  std::vector<std::pair<std::string, std::string>> rows{
      {"files", grouped(static_cast<uint64_t>(r.files.size()))},
      {"read", grouped(c.read)},
      {"written", grouped(c.written)},
      {"dead-lettered", grouped(c.dead_lettered)},
      {"rejected", grouped(c.rejected)},
      {"retries", grouped(c.retries)},
      {"throttles", grouped(c.throttles)},
      {"rebatches", grouped(c.rebatches)},
      {"routing refreshes", grouped(c.routing_refreshes)},
      {"request charge", grouped(c.request_charge) + " RU"},
      {"elapsed", fixed(r.seconds, 1) + " s"},
      {"docs/s", grouped(per_second(static_cast<double>(c.written), r.seconds))},
      {"RU/s", grouped(per_second(c.request_charge, r.seconds))},
  };
  // Labels left-aligned; numbers right-aligned on their last digit, a unit sticking out after it.
  auto number_length = [](const std::string& value) {
    auto space = value.find(' ');
    return space == std::string::npos ? value.size() : space;
  };
  size_t label_width = 0, number_width = 0;
  for (const auto& [label, value] : rows) {
    label_width = std::max(label_width, label.size());
    number_width = std::max(number_width, number_length(value));
  }
  std::string out = "bulk-upsert " + r.job + ": " + (r.ok ? "ok" : "FAILED") + "\n";
  if (!r.error.empty())
    out += "  error: " + r.error + "\n";
  for (const auto& [label, value] : rows)
    out += "  " + label + std::string(label_width - label.size() + 2, ' ') +
           std::string(number_width - number_length(value), ' ') + value + "\n";
  auto settled = c.written + c.dead_lettered + c.rejected;
  if (settled != c.read)
    out += "  counts do not add up: read " + grouped(c.read) +
           " != written + dead-lettered + rejected " + grouped(settled) + "\n";
  return out;
}

std::string render_progress_line(const bulk_counts& c, double seconds) {
  std::string out = grouped(c.written) + " docs";
  out += " | " + grouped(per_second(static_cast<double>(c.written), seconds)) + " docs/s";
  out += " | " + grouped(per_second(c.request_charge, seconds)) + " RU/s";
  out += " | " + grouped(c.throttles) + (c.throttles == 1 ? " throttle" : " throttles");
  if (c.dead_lettered + c.rejected > 0)
    out += " | " + grouped(c.dead_lettered + c.rejected) + " dead-lettered";
  bool known = c.bytes_total > 0 && c.bytes_read > 0 && seconds > 0;
  if (c.bytes_total > 0) {
    auto done = std::min(c.bytes_read, c.bytes_total);
    out += " | " +
           fixed(100.0 * static_cast<double>(done) / static_cast<double>(c.bytes_total), 1) + "%";
  }
  if (known && c.bytes_read >= c.bytes_total) {
    out += " | ETA 0s";
  } else if (known) {
    auto rate = static_cast<double>(c.bytes_read) / seconds;
    out += " | ETA " + short_duration(static_cast<double>(c.bytes_total - c.bytes_read) / rate);
  } else {
    out += " | ETA \u2014";
  }
  return out;
}

} // namespace bulkd
