#include "jobs/change_feed/feed_report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace bulkd {

namespace {

nlohmann::json optional_number(const std::optional<int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string lag_text(const range_lag& lag) {
  if (!lag.items)
    return "unknown";
  auto text = std::to_string(*lag.items) + " items";
  if (lag.seconds)
    text += ", " + std::to_string(*lag.seconds) + " s";
  return text;
}

/// The range furthest behind in items; nullptr when no range has a known lag.
const feed_range_status* worst(const feed_report& r) {
  const feed_range_status* out = nullptr;
  for (auto& range : r.ranges)
    if (range.lag.items && (out == nullptr || *range.lag.items > *out->lag.items))
      out = &range;
  return out;
}

} // namespace

std::string to_json(const feed_report& r) {
  auto ranges = nlohmann::json::array();
  for (auto& range : r.ranges)
    ranges.push_back({{"range", range.range},
                      {"continuation", range.continuation},
                      {"reading", range.reading},
                      {"delivered", range.delivered},
                      {"lag_items", optional_number(range.lag.items)},
                      {"lag_seconds", optional_number(range.lag.seconds)}});
  nlohmann::json j{{"job", r.job},
                   {"kind", "change-feed"},
                   {"instance", r.instance},
                   {"ok", r.ok},
                   {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
                   {"stopped", r.stopped},
                   {"caught_up", r.caught_up},
                   {"delivered", r.delivered},
                   {"batches", r.batches},
                   {"dead_lettered", r.dead_lettered},
                   {"dead_lettered_batches", r.dead_lettered_batches},
                   {"splits", r.splits},
                   {"leases_acquired", r.leases_acquired},
                   {"leases_lost", r.leases_lost},
                   {"reader_restarts", r.reader_restarts},
                   {"leases_owned", r.leases_owned},
                   {"leases_total", r.leases_total},
                   {"ranges", ranges},
                   {"seconds", r.seconds}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_summary(const feed_report& r) {
  std::string out = "change-feed " + r.job + ": " + (r.ok ? "ok" : "FAILED");
  if (r.ok)
    out += r.caught_up ? " (caught up)" : r.stopped ? " (stopped)" : "";
  out += "\n";
  if (!r.error.empty())
    out += "  error: " + r.error + "\n";
  char rate[64] = "";
  if (r.seconds > 0)
    std::snprintf(rate, sizeof(rate), " (%.0f/s)", static_cast<double>(r.delivered) / r.seconds);
  out += "  delivered      " + std::to_string(r.delivered) + " changes in " +
         std::to_string(r.batches) + " batches" + rate + "\n";
  out += "  dead-lettered  " + std::to_string(r.dead_lettered) + " changes in " +
         std::to_string(r.dead_lettered_batches) + " batches\n";
  out += "  leases         " + std::to_string(r.leases_acquired) + " acquired, " +
         std::to_string(r.leases_lost) + " lost, " + std::to_string(r.leases_owned) +
         " held now, of " + std::to_string(r.leases_total) + " (instance " + r.instance + ")\n";
  if (r.splits > 0)
    out += "  splits         " + std::to_string(r.splits) + "\n";
  if (r.reader_restarts > 0)
    out += "  restarts       " + std::to_string(r.reader_restarts) + " reader(s) after errors\n";
  for (auto& range : r.ranges)
    out += "  range " + range.range + "  lag " + lag_text(range.lag) + ", delivered " +
           std::to_string(range.delivered) + "\n";
  char secs[32];
  std::snprintf(secs, sizeof(secs), "%.1f s", r.seconds);
  out += std::string{"  elapsed        "} + secs + "\n";
  return out;
}

std::string render_progress_line(const feed_report& r) {
  char buf[160];
  double rate = r.seconds > 0 ? static_cast<double>(r.delivered) / r.seconds : 0.0;
  std::snprintf(buf, sizeof(buf), "%s: %llu delivered (%.0f/s), %llu dead-lettered, leases %u/%u",
                r.job.c_str(), static_cast<unsigned long long>(r.delivered), rate,
                static_cast<unsigned long long>(r.dead_lettered), r.leases_owned, r.leases_total);
  std::string out = buf;
  if (auto* w = worst(r))
    out += ", worst lag " + lag_text(w->lag) + " (range " + w->range + ")";
  return out;
}

} // namespace bulkd
