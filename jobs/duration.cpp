#include "jobs/duration.hpp"

#include "clients/error.hpp"
#include "jobs/scaled_number.hpp"

#include <cstdint>
#include <limits>

namespace bulkd {

namespace {

// Largest first so that formatting prefers them.
constexpr unit_factor units[] = {
    {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};

} // namespace

caf::expected<duration> parse_duration(std::string_view text) {
  auto parsed = parse_scaled_number(text, units, false,
                                    static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  if (!parsed.problem.empty())
    return make_error(ec::invalid_argument, "invalid duration '" + std::string{text} +
                                                "': " + std::string{parsed.problem} +
                                                " (expected e.g. 250ms, 30s, 5m, 1h, 1d)");
  return duration{static_cast<int64_t>(parsed.value)};
}

std::string format_duration(duration d) {
  auto ms = d.count();
  if (ms == 0)
    return "0s";
  return format_scaled_number(static_cast<uint64_t>(ms), units, "ms");
}

} // namespace bulkd
