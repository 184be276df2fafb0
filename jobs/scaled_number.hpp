#pragma once

// Numbers with a unit suffix, the shared grammar of durations (`250ms`, `5m`) and byte sizes
// (`256MiB`): digits, then one of the given units; no sign, no fraction, no space.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bulkd {

struct unit_factor {
  std::string_view suffix;
  uint64_t factor;
};

struct scaled_number {
  uint64_t value = 0;
  /// Empty on success, else why the text is not a number with a unit: "empty", "negative",
  /// "no number", "missing unit", "unknown unit" or "too large" (above `max`).
  std::string_view problem;
};

/// Parses `text`; without a suffix the factor is 1 when `unit_optional`, else "missing unit".
scaled_number parse_scaled_number(std::string_view text, std::span<const unit_factor> units,
                                  bool unit_optional, uint64_t max);

/// `value` in the first unit of `units` (factor > 1) that divides it, e.g. 3 600 000 → "1h";
/// otherwise the plain number followed by `fallback_suffix`.
std::string format_scaled_number(uint64_t value, std::span<const unit_factor> units,
                                 std::string_view fallback_suffix);

} // namespace bulkd
