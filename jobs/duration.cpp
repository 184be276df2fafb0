#include "jobs/duration.hpp"

#include "clients/error.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace bulkd {

namespace {

struct unit {
  std::string_view suffix;
  int64_t ms;
};

constexpr unit units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};

} // namespace

caf::expected<duration> parse_duration(std::string_view text) {
  auto bad = [&](const char* why) {
    return make_error(ec::invalid_argument, std::string{"invalid duration '"} + std::string{text} +
                                                "': " + why +
                                                " (expected e.g. 250ms, 30s, 5m, 1h, 1d)");
  };
  if (text.empty())
    return bad("empty");
  if (text.front() == '-')
    return bad("negative");
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0)
    return bad("no number");
  auto suffix = text.substr(digits);
  if (suffix.empty())
    return bad("missing unit");
  int64_t factor = 0;
  for (auto& u : units)
    if (u.suffix == suffix)
      factor = u.ms;
  if (factor == 0)
    return bad("unknown unit");
  int64_t n = 0;
  auto [ptr, err] = std::from_chars(text.data(), text.data() + digits, n);
  if (err != std::errc{} || ptr != text.data() + digits ||
      n > std::numeric_limits<int64_t>::max() / factor)
    return bad("too large");
  return duration{n * factor};
}

std::string format_duration(duration d) {
  auto ms = d.count();
  if (ms == 0)
    return "0s";
  for (auto i = std::size(units); i-- > 1;)
    if (ms % units[i].ms == 0)
      return std::to_string(ms / units[i].ms) + std::string{units[i].suffix};
  return std::to_string(ms) + "ms";
}

} // namespace bulkd
