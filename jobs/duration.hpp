#pragma once

// Durations in specs: an integer and a unit, `250ms`, `30s`, `5m`, `1h`, `1d`.

#include <caf/expected.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace bulkd {

using duration = std::chrono::milliseconds;

/// Parses `<digits><unit>` with unit ms, s, m, h or d. Rejects negatives, a missing unit, zero
/// digits, overflow and anything else; the error says what was expected.
caf::expected<duration> parse_duration(std::string_view text);

/// The shortest exact form: 90000ms -> `90s`, 300000ms -> `5m`, 1500ms -> `1500ms`.
std::string format_duration(duration d);

} // namespace bulkd
