#pragma once

// A 5-field cron schedule (minute hour day-of-month month day-of-week) with ranges, lists, steps,
// month and weekday names, and the @hourly/@daily/@weekly/@monthly shorthands. Times are UTC.

#include <caf/expected.hpp>

#include <bitset>
#include <chrono>
#include <string>
#include <string_view>

namespace bulkd {

class cron_schedule {
public:
  using time_point = std::chrono::system_clock::time_point;

  /// Parses an expression; the error names the field and what is wrong with it.
  static caf::expected<cron_schedule> parse(std::string_view expr);

  /// The first fire time strictly after `after` (UTC, whole minutes).
  time_point next_after(time_point after) const;

  /// The expression as it was given.
  const std::string& text() const { return text_; }

private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_; // 1..31
  std::bitset<13> months_;        // 1..12
  std::bitset<7> days_of_week_;   // 0 = Sunday
  bool dom_restricted_ = false;   // day-of-month field was not '*'
  bool dow_restricted_ = false;   // day-of-week field was not '*'
};

} // namespace bulkd
