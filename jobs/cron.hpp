#pragma once

// A 5-field cron schedule (minute hour day-of-month month day-of-week) with ranges, lists, steps,
// month and weekday names, and the @hourly/@daily/@weekly/@monthly shorthands.
//
// Times are UTC only: there is no timezone support, so "0 2 * * *" fires at 02:00 UTC.
//
// Day matching follows Vixie cron: a field counts as unrestricted when its text starts with '*'
// (so "*" and also "*/2"). If both day-of-month and day-of-week are restricted, a day matches when
// EITHER matches ("0 0 13 * FRI" fires on every 13th and on every Friday); otherwise both must
// match ("0 0 */2 * MON" fires on Mondays that fall on an odd day of the month).

#include <caf/expected.hpp>

#include <bitset>
#include <chrono>
#include <string>
#include <string_view>

namespace bulkd {

class cron_schedule {
public:
  using time_point = std::chrono::system_clock::time_point;

  /// Parses an expression; the error names the field and what is wrong with it. Schedules that
  /// can never fire (such as "0 0 30 2 *") are rejected.
  static caf::expected<cron_schedule> parse(std::string_view expr);

  /// The first fire time strictly after `after` (UTC, whole minutes). Returns time_point::max()
  /// only for a default-constructed schedule, which matches nothing.
  time_point next_after(time_point after) const;

  /// The expression as it was given.
  const std::string& text() const { return text_; }

private:
  bool day_matches(int year, unsigned month, unsigned day) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_; // 1..31
  std::bitset<13> months_;        // 1..12
  std::bitset<7> days_of_week_;   // 0 = Sunday
  bool dom_restricted_ = false;   // day-of-month field did not start with '*'
  bool dow_restricted_ = false;   // day-of-week field did not start with '*'
};

} // namespace bulkd
