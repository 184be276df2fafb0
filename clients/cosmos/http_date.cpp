#include "clients/cosmos/http_date.hpp"

#include "clients/error.hpp"

#include <array>
#include <cctype>

namespace bulkd::cosmos {

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 7> weekday_names = {"Sun", "Mon", "Tue", "Wed",
                                                           "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

void append_two_digits(std::string& out, unsigned value) {
  out += static_cast<char>('0' + value / 10 % 10);
  out += static_cast<char>('0' + value % 10);
}

// A small cursor over the input that reports what it expected where.
class scanner {
public:
  explicit scanner(std::string_view text) : text_(text) {}

  bool literal(std::string_view what) {
    if (text_.substr(pos_, what.size()) != what)
      return false;
    pos_ += what.size();
    return true;
  }

  // Reads between min and max digits.
  bool number(size_t min, size_t max, int& value) {
    size_t n = 0;
    value = 0;
    while (n < max && pos_ < text_.size() &&
           std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++n;
    }
    return n >= min;
  }

  std::string_view word(size_t n) {
    auto result = text_.substr(pos_, n);
    pos_ += result.size();
    return result;
  }

  bool at_end() const { return pos_ == text_.size(); }
  size_t pos() const { return pos_; }

private:
  std::string_view text_;
  size_t pos_ = 0;
};

caf::error bad_date(std::string_view text, std::string_view why) {
  return make_error(ec::parse_error,
                    "invalid RFC 1123 date '" + std::string{text} + "': " + std::string{why});
}

} // namespace

std::string format_http_date(system_clock::time_point time) {
  auto secs = floor<seconds>(time);
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss hms{secs - day};
  std::string out;
  out.reserve(29);
  out += weekday_names[weekday{day}.c_encoding()];
  out += ", ";
  append_two_digits(out, static_cast<unsigned>(ymd.day()));
  out += ' ';
  out += month_names[static_cast<unsigned>(ymd.month()) - 1];
  out += ' ';
  out += std::to_string(static_cast<int>(ymd.year()));
  out += ' ';
  append_two_digits(out, static_cast<unsigned>(hms.hours().count()));
  out += ':';
  append_two_digits(out, static_cast<unsigned>(hms.minutes().count()));
  out += ':';
  append_two_digits(out, static_cast<unsigned>(hms.seconds().count()));
  out += " GMT";
  return out;
}

caf::expected<http_time> parse_http_date(std::string_view text) {
  scanner in{text};
  auto wday_name = in.word(3);
  size_t wday = 0;
  while (wday < weekday_names.size() && !iequals(weekday_names[wday], wday_name))
    ++wday;
  if (wday == weekday_names.size())
    return bad_date(text, "unknown weekday");
  if (!in.literal(", "))
    return bad_date(text, "expected ', ' after the weekday");
  int mday = 0;
  if (!in.number(1, 2, mday) || !in.literal(" "))
    return bad_date(text, "expected the day of the month");
  auto month_name = in.word(3);
  size_t month_index = 0;
  while (month_index < month_names.size() && !iequals(month_names[month_index], month_name))
    ++month_index;
  if (month_index == month_names.size())
    return bad_date(text, "unknown month");
  int y = 0;
  if (!in.literal(" ") || !in.number(4, 4, y) || !in.literal(" "))
    return bad_date(text, "expected a four-digit year");
  // std::chrono::system_clock counts nanoseconds in 64 bits: 1677 to 2262.
  if (y < 1970 || y > 2200)
    return bad_date(text, "year out of range (1970 to 2200)");
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (!in.number(2, 2, hh) || !in.literal(":") || !in.number(2, 2, mm) || !in.literal(":") ||
      !in.number(2, 2, ss))
    return bad_date(text, "expected the time as HH:MM:SS");
  auto zone = in.word(4);
  if (!iequals(zone, " GMT") || !in.at_end())
    return bad_date(text, "expected ' GMT' at the end");
  if (hh > 23 || mm > 59 || ss > 60)
    return bad_date(text, "time of day out of range");
  year_month_day ymd{year{y}, month{static_cast<unsigned>(month_index + 1)},
                     day{static_cast<unsigned>(mday)}};
  if (!ymd.ok())
    return bad_date(text, "no such day");
  sys_days date{ymd};
  if (weekday{date}.c_encoding() != wday)
    return bad_date(text, "weekday does not match the date");
  // A leap second (ss == 60) rolls into the next minute, as most parsers do.
  return http_time{date} + hours{hh} + minutes{mm} + seconds{ss};
}

} // namespace bulkd::cosmos
