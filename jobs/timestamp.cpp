#include "jobs/timestamp.hpp"

#include "clients/error.hpp"

#include <charconv>
#include <cstdio>

namespace bulkd {

namespace {

bool read_int(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size())
    return false;
  for (size_t i = pos; i < pos + len; ++i)
    if (s[i] < '0' || s[i] > '9')
      return false;
  std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return true;
}

} // namespace

caf::expected<utc_time> parse_rfc3339(std::string_view s) {
  auto bad = [&](const char* why) {
    return make_error(ec::invalid_argument, "invalid RFC 3339 time '" + std::string{s} + "': " +
                                                why + " (expected e.g. 2026-01-31T12:00:00Z)");
  };
  int y, mo, d, h, mi, sec;
  if (!read_int(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !read_int(s, 5, 2, mo) ||
      s[7] != '-' || !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !read_int(s, 11, 2, h) || s[13] != ':' || !read_int(s, 14, 2, mi) || s[16] != ':' ||
      !read_int(s, 17, 2, sec))
    return bad("malformed");
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return bad("no such date");
  if (h > 23 || mi > 59 || sec > 60)
    return bad("time of day out of range");
  size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3)
        ms = ms * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0)
      return bad("empty fraction");
    for (int i = digits; i < 3; ++i)
      ms *= 10;
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!read_int(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_int(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return bad("malformed offset");
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("missing time zone (Z or +hh:mm)");
  }
  if (pos != s.size())
    return bad("trailing characters");
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms} -
           minutes{offset_min};
  return utc_time{t};
}

std::string format_rfc3339(utc_time t) {
  using namespace std::chrono;
  auto days = floor<std::chrono::days>(t);
  year_month_day ymd{days};
  hh_mm_ss tod{t - days};
  char buf[40];
  auto ms = tod.subseconds().count();
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(tod.hours().count()),
                        int(tod.minutes().count()), int(tod.seconds().count()));
  std::string out{buf, static_cast<size_t>(n)};
  if (ms != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", int(ms));
    out += buf;
  }
  return out + "Z";
}

} // namespace bulkd
