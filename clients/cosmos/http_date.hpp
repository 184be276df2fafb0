#pragma once

// RFC 1123 dates as Cosmos uses them in x-ms-date: "Mon, 15 Jan 2024 10:30:00 GMT".

#include <caf/expected.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace bulkd::cosmos {

using http_time = std::chrono::sys_seconds;

/// Formats a time (truncated to seconds) as "Mon, 15 Jan 2024 10:30:00 GMT".
std::string format_http_date(std::chrono::system_clock::time_point time);

/// Parses "Mon, 15 Jan 2024 10:30:00 GMT". Day and month names are matched case-insensitively, the
/// day of the month may have one or two digits, and the weekday must match the date. Years outside
/// 1970 to 2200 are refused: the result must fit a system_clock time point.
caf::expected<http_time> parse_http_date(std::string_view text);

} // namespace bulkd::cosmos
