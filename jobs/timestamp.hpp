#pragma once

// RFC 3339 timestamps (`2026-01-31T12:00:00Z`, `2026-01-31T13:00:00.250+01:00`), kept in UTC
// with millisecond precision.

#include <caf/expected.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace bulkd {

using utc_time = std::chrono::sys_time<std::chrono::milliseconds>;

caf::expected<utc_time> parse_rfc3339(std::string_view text);

/// `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` when the milliseconds are not zero.
std::string format_rfc3339(utc_time t);

} // namespace bulkd
