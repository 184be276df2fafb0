#include "clients/error.hpp"
#include "jobs/cron.hpp"

#include <catch2/catch.hpp>

#include <ctime>
#include <string>

using bulkd::cron_schedule;
using namespace std::chrono;

namespace {

// "YYYY-MM-DD HH:MM[:SS]" in UTC.
cron_schedule::time_point utc(const std::string& s) {
  std::tm tm{};
  int n = std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                      &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
  REQUIRE(n >= 5);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return system_clock::from_time_t(timegm(&tm));
}

std::string format_utc(cron_schedule::time_point t) {
  auto secs = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string next(const std::string& expr, const std::string& from) {
  auto sched = cron_schedule::parse(expr);
  REQUIRE(sched);
  return format_utc(sched->next_after(utc(from)));
}

std::string parse_error(const std::string& expr) {
  auto sched = cron_schedule::parse(expr);
  REQUIRE_FALSE(sched);
  return bulkd::render(sched.error());
}

struct known_case {
  const char* expr;
  const char* from;
  const char* expected;
};

} // namespace

// Expected values were computed with an independent brute-force implementation.
TEST_CASE("cron: next_after gives known answers", "[cron]") {
  auto c = GENERATE(values<known_case>({
      // Basics, seconds truncation, strictly-after semantics, year boundary.
      {"* * * * *", "2024-01-01 00:00:00", "2024-01-01 00:01"},
      {"* * * * *", "2024-01-01 00:00:30", "2024-01-01 00:01"},
      {"* * * * *", "2023-12-31 23:59:59", "2024-01-01 00:00"},
      {"0 * * * *", "2024-05-10 10:00:00", "2024-05-10 11:00"},
      {"0 * * * *", "2024-05-10 10:59:59", "2024-05-10 11:00"},
      {"59 23 31 12 *", "2024-12-31 23:59:00", "2025-12-31 23:59"},
      {"0 0 1 1 *", "1969-06-01 00:00:00", "1970-01-01 00:00"},
      {"30 2 * 11 *", "2024-01-01 00:00:00", "2024-11-01 02:30"},
      // Steps, ranges, lists.
      {"*/15 * * * *", "2024-05-10 10:07:00", "2024-05-10 10:15"},
      {"*/15 * * * *", "2024-05-10 10:45:00", "2024-05-10 11:00"},
      {"5/20 * * * *", "2024-05-10 10:46:00", "2024-05-10 11:05"},
      {"10-30/10 8 * * *", "2024-05-10 08:25:00", "2024-05-10 08:30"},
      {"10-30/10 8 * * *", "2024-05-10 08:30:00", "2024-05-11 08:10"},
      {"1,2,40-42 * * * *", "2024-05-10 08:02:00", "2024-05-10 08:40"},
      {"0 */6 * * *", "2024-05-10 19:00:00", "2024-05-11 00:00"},
      {"0 9-17/4 * * *", "2024-05-10 13:00:00", "2024-05-10 17:00"},
      // Leap years (2100 is not one), month ends, 31st only in 31-day months.
      {"0 0 29 2 *", "2023-03-01 00:00:00", "2024-02-29 00:00"},
      {"0 0 29 2 *", "2024-02-29 00:00:00", "2028-02-29 00:00"},
      {"0 0 29 2 *", "2096-03-01 00:00:00", "2104-02-29 00:00"},
      {"0 0 31 * *", "2024-01-31 00:00:00", "2024-03-31 00:00"},
      {"0 0 31 * *", "2024-04-01 00:00:00", "2024-05-31 00:00"},
      {"0 0 30 * *", "2024-01-30 00:00:00", "2024-03-30 00:00"},
      {"0 0 * * *", "2023-02-28 00:00:00", "2023-03-01 00:00"},
      {"0 0 * * *", "2024-02-28 00:00:00", "2024-02-29 00:00"},
      {"0 0 28-31 2 *", "2023-02-28 00:00:00", "2024-02-28 00:00"},
      {"0 0 28-31 2 *", "2024-02-28 00:00:00", "2024-02-29 00:00"},
      // Shorthands.
      {"@weekly", "2024-01-03 12:00:00", "2024-01-07 00:00"},
      {"@weekly", "2024-01-07 00:00:00", "2024-01-14 00:00"},
      {"@daily", "2024-01-03 12:00:00", "2024-01-04 00:00"},
      {"@midnight", "2024-01-03 12:00:00", "2024-01-04 00:00"},
      {"@hourly", "2024-01-03 12:00:00", "2024-01-03 13:00"},
      {"@monthly", "2024-01-31 23:59:00", "2024-02-01 00:00"},
      {"@yearly", "2024-06-15 08:00:00", "2025-01-01 00:00"},
      {"@annually", "2024-12-31 23:59:59", "2025-01-01 00:00"},
      {"@DAILY", "2024-01-03 12:00:00", "2024-01-04 00:00"},
      // Both day fields restricted: either one matches (the 13th, or any Friday).
      {"0 0 13 * FRI", "2024-01-01 00:00:00", "2024-01-05 00:00"},
      {"0 0 13 * FRI", "2024-01-12 00:00:00", "2024-01-13 00:00"},
      {"0 0 13 * FRI", "2024-01-13 00:00:00", "2024-01-19 00:00"},
      {"0 0 1 * MON", "2024-01-02 00:00:00", "2024-01-08 00:00"},
      {"0 0 1 * MON", "2024-01-29 00:00:00", "2024-02-01 00:00"},
      {"0 0 31 2 MON", "2024-02-01 00:00:00", "2024-02-05 00:00"},
      // A field starting with '*' is unrestricted (Vixie): both must match.
      {"0 0 */2 * MON", "2023-12-31 00:00:00", "2024-01-01 00:00"},
      {"0 0 */2 * MON", "2024-01-01 00:00:00", "2024-01-15 00:00"},
      {"0 0 1-7 * */7", "2024-01-01 00:00:00", "2024-01-07 00:00"},
      {"0 0 1-7 * */7", "2024-01-07 00:00:00", "2024-02-04 00:00"},
      {"0 0 29 2 */7", "2024-01-01 00:00:00", "2032-02-29 00:00"},
      // Weekdays: 0 and 7 are Sunday, ranges up to 7, names in any case.
      {"0 12 * * 7", "2024-01-01 00:00:00", "2024-01-07 12:00"},
      {"0 12 * * 0", "2024-01-01 00:00:00", "2024-01-07 12:00"},
      {"0 0 * * 5-7", "2024-01-07 00:00:00", "2024-01-12 00:00"},
      {"0 0 * * 5-7", "2024-01-08 00:00:00", "2024-01-12 00:00"},
      {"0 9 * JAN-MAR MON-FRI", "2024-03-29 09:00:00", "2025-01-01 09:00"},
      {"0 9 * jan mon", "2024-01-02 00:00:00", "2024-01-08 09:00"},
      {"0 9 * Jan-Mar mOn-fRi", "2024-03-29 09:00:00", "2025-01-01 09:00"},
      {"0 0 * * sat,sun", "2024-01-01 00:00:00", "2024-01-06 00:00"},
  }));
  INFO(c.expr << " after " << c.from);
  CHECK(next(c.expr, c.from) == c.expected);
}

TEST_CASE("cron: sub-minute precision is truncated before stepping", "[cron]") {
  auto sched = cron_schedule::parse("* * * * *");
  REQUIRE(sched);
  auto t = utc("2024-01-01 10:00:00") + milliseconds{500};
  CHECK(format_utc(sched->next_after(t)) == "2024-01-01 10:01");
  CHECK(sched->next_after(t) == utc("2024-01-01 10:01:00"));
}

TEST_CASE("cron: consecutive fire times are consistent", "[cron]") {
  // Every time in [previous fire, next fire) must lead to the same next fire, and the fire times
  // must be whole minutes and strictly increasing.
  auto expr = GENERATE(as<std::string>{}, "*/7 */5 * * *", "0 0 13 * FRI", "15 3 */3 * MON-WED",
                       "0 0 29 2 *", "@weekly", "0 12 1,15,31 * *");
  auto sched = cron_schedule::parse(expr);
  REQUIRE(sched);
  auto t = utc("2023-11-20 07:31:12");
  for (int i = 0; i < 50; ++i) {
    auto fire = sched->next_after(t);
    INFO(expr << " after " << format_utc(t));
    REQUIRE(fire > t);
    REQUIRE(fire.time_since_epoch() % minutes{1} == nanoseconds{0});
    auto mid = t + (fire - t) / 2;
    REQUIRE(sched->next_after(mid) == fire);
    REQUIRE(sched->next_after(fire - seconds{1}) == fire);
    t = fire;
  }
}

TEST_CASE("cron: text is kept as given", "[cron]") {
  auto sched = cron_schedule::parse("0 2 * * *");
  REQUIRE(sched);
  CHECK(sched->text() == "0 2 * * *");
  auto shorthand = cron_schedule::parse("@weekly");
  REQUIRE(shorthand);
  CHECK(shorthand->text() == "@weekly");
}

TEST_CASE("cron: whitespace between fields is flexible", "[cron]") {
  CHECK(next("  0\t2   * *  *  ", "2024-01-01 00:00:00") == "2024-01-01 02:00");
}

TEST_CASE("cron: a default schedule never fires", "[cron]") {
  cron_schedule none;
  CHECK(none.next_after(utc("2024-01-01 00:00:00")) == cron_schedule::time_point::max());
}

TEST_CASE("cron: fire times past the end of system_clock give time_point::max()", "[cron]") {
  auto sched = cron_schedule::parse("0 0 29 2 *");
  REQUIRE(sched);
  CHECK(format_utc(sched->next_after(utc("2256-03-01 00:00:00"))) == "2260-02-29 00:00");
  CHECK(sched->next_after(utc("2260-02-29 00:00:00")) == cron_schedule::time_point::max());
  CHECK(sched->next_after(cron_schedule::time_point::max() - hours{1}) ==
        cron_schedule::time_point::max());
}

TEST_CASE("cron: bad expressions are rejected with the field and the problem", "[cron]") {
  auto c = GENERATE(values<std::pair<const char*, const char*>>({
      {"", "empty cron expression"},
      {"   ", "empty cron expression"},
      {"* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"},
      {"* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6"},
      {"0 0 * * * /bin/true",
       "expected 5 fields (minute hour day-of-month month day-of-week), got 6"},
      {"61 * * * *", "minute: 61 is out of range 0-59"},
      {"99999999999 * * * *", "minute: 99999999999 is out of range 0-59"},
      {"* 24 * * *", "hour: 24 is out of range 0-23"},
      {"* * 0 * *", "day-of-month: 0 is out of range 1-31"},
      {"* * 32 * *", "day-of-month: 32 is out of range 1-31"},
      {"* * * 0 *", "month: 0 is out of range 1-12"},
      {"* * * 13 *", "month: 13 is out of range 1-12"},
      {"* * * * 8", "day-of-week: 8 is out of range 0-7"},
      {"* * * * FUNDAY", "day-of-week: unknown name \"FUNDAY\""},
      {"* * * * MONDAY", "day-of-week: unknown name \"MONDAY\""},
      {"* * * JANUARY *", "month: unknown name \"JANUARY\""},
      {"MON * * * *", "minute: invalid value \"MON\""},
      {"* * MON * *", "day-of-month: invalid value \"MON\""},
      {"5x * * * *", "minute: invalid value \"5x\""},
      {"*5 * * * *", "minute: invalid value \"*5\""},
      {"* */0 * * *", "hour: step must be >= 1"},
      {"*/61 * * * *", "minute: step 61 is out of range 1-60"},
      {"*/ * * * *", "minute: missing step after '/' in \"*/\""},
      {"*/x * * * *", "minute: invalid step \"x\""},
      {"1/2/3 * * * *", "minute: invalid step \"2/3\""},
      {"* * * 5-2 *", "month: range 5-2 is reversed"},
      {"* * * * FRI-MON", "day-of-week: range FRI-MON is reversed"},
      {"1-2-3 * * * *", "minute: invalid range \"1-2-3\""},
      {"-5 * * * *", "minute: invalid range \"-5\""},
      {"5- * * * *", "minute: invalid range \"5-\""},
      {"1,,2 * * * *", "minute: empty list item"},
      {"1, * * * *", "minute: empty list item"},
      {"* * * * ,1", "day-of-week: empty list item"},
      {"0 0 L * *", "day-of-month: invalid value \"L\""},
      {"0 0 ? * *", "day-of-month: invalid value \"?\""},
      {"@reboot",
       "@reboot is not supported: bulkd has no boot-time runs; use a 5-field schedule or "
       "run the job on demand"},
      {"@often", "unknown shorthand \"@often\" (expected @hourly, @daily, @midnight, @weekly, "
                 "@monthly, @yearly or @annually)"},
      {"@daily 5", "unexpected \"5\" after @daily"},
      {"0 0 30 2 *", "schedule never fires: day-of-month \"30\" does not occur in month \"2\""},
      {"0 0 30,31 FEB *", "schedule never fires: day-of-month \"30,31\" does not occur in month "
                          "\"FEB\""},
      {"0 0 31 4,6,9,11 *", "schedule never fires: day-of-month \"31\" does not occur in month "
                            "\"4,6,9,11\""},
      {"0 0 30 2 */1", "schedule never fires: day-of-month \"30\" does not occur in month \"2\""},
  }));
  INFO("expression: \"" << c.first << "\"");
  CHECK(parse_error(c.first) == std::string{"invalid_argument: "} + c.second);
}

TEST_CASE("cron: impossible day-of-month is fine when the weekday can match instead", "[cron]") {
  // Both day fields restricted: Mondays in February still fire.
  CHECK(cron_schedule::parse("0 0 30 2 MON"));
  // The 31st exists in some selected month.
  CHECK(cron_schedule::parse("0 0 31 2,3 *"));
}
