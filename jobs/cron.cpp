#include "jobs/cron.hpp"

#include "clients/error.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

namespace bulkd {

namespace {

constexpr std::array<std::string_view, 12> month_names = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> weekday_names = {"SUN", "MON", "TUE", "WED",
                                                           "THU", "FRI", "SAT"};

struct field_spec {
  std::string_view name;
  int min;
  int max;
  const std::string_view* names = nullptr; // names[i] stands for the value min + i
  int name_count = 0;
};

constexpr field_spec minute_field{"minute", 0, 59};
constexpr field_spec hour_field{"hour", 0, 23};
constexpr field_spec dom_field{"day-of-month", 1, 31};
constexpr field_spec month_field{"month", 1, 12, month_names.data(), 12};
constexpr field_spec dow_field{"day-of-week", 0, 7, weekday_names.data(), 7}; // 7 is Sunday too

caf::error field_error(const field_spec& f, const std::string& what) {
  return make_error(ec::invalid_argument, std::string{f.name} + ": " + what);
}

std::string quoted(std::string_view s) {
  return "\"" + std::string{s} + "\"";
}

bool all_digits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Digits beyond four cannot be in range for any field; capping avoids overflow.
int to_int(std::string_view digits) {
  if (digits.size() > 4)
    return 99999;
  int v = 0;
  for (char c : digits)
    v = v * 10 + (c - '0');
  return v;
}

caf::expected<int> parse_value(const field_spec& f, std::string_view tok) {
  if (all_digits(tok)) {
    int v = to_int(tok);
    if (v < f.min || v > f.max)
      return field_error(f, std::string{tok} + " is out of range " + std::to_string(f.min) + "-" +
                                std::to_string(f.max));
    return v;
  }
  bool alpha = !tok.empty();
  for (char c : tok)
    alpha = alpha && std::isalpha(static_cast<unsigned char>(c));
  if (alpha && f.names != nullptr) {
    for (int i = 0; i < f.name_count; ++i)
      if (iequals(tok, f.names[i]))
        return f.min + i;
    return field_error(f, "unknown name " + quoted(tok));
  }
  return field_error(f, "invalid value " + quoted(tok));
}

// Parses one comma-separated item ("*", "5", "1-5", "*/15", "1-30/2", "10/5") into `bits`.
caf::error parse_item(const field_spec& f, std::string_view item, uint64_t& bits) {
  if (item.empty())
    return field_error(f, "empty list item");
  auto base = item;
  int step = 1;
  if (auto slash = item.find('/'); slash != std::string_view::npos) {
    base = item.substr(0, slash);
    auto step_text = item.substr(slash + 1);
    if (step_text.empty())
      return field_error(f, "missing step after '/' in " + quoted(item));
    if (!all_digits(step_text))
      return field_error(f, "invalid step " + quoted(step_text));
    step = to_int(step_text);
    int width = f.max - f.min + 1;
    if (step < 1)
      return field_error(f, "step must be >= 1");
    if (step > width)
      return field_error(f, "step " + std::string{step_text} + " is out of range 1-" +
                                std::to_string(width));
  }
  int lo = f.min;
  int hi = f.max;
  if (base != "*") {
    if (auto dash = base.find('-'); dash != std::string_view::npos) {
      auto a = base.substr(0, dash);
      auto b = base.substr(dash + 1);
      if (a.empty() || b.empty() || b.find('-') != std::string_view::npos)
        return field_error(f, "invalid range " + quoted(base));
      auto va = parse_value(f, a);
      if (!va)
        return std::move(va.error());
      auto vb = parse_value(f, b);
      if (!vb)
        return std::move(vb.error());
      if (*va > *vb)
        return field_error(f, "range " + std::string{base} + " is reversed");
      lo = *va;
      hi = *vb;
    } else {
      auto v = parse_value(f, base);
      if (!v)
        return std::move(v.error());
      lo = *v;
      // Vixie cron reads "a/n" as "a-max/n"; a plain "a" is just a.
      hi = base.size() == item.size() ? *v : f.max;
    }
  }
  for (int v = lo; v <= hi; v += step)
    bits |= uint64_t{1} << v;
  return {};
}

caf::expected<uint64_t> parse_field(const field_spec& f, std::string_view text) {
  uint64_t bits = 0;
  size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    auto item =
        text.substr(start, comma == std::string_view::npos ? text.size() - start : comma - start);
    if (auto err = parse_item(f, item, bits))
      return err;
    if (comma == std::string_view::npos)
      return bits;
    start = comma + 1;
  }
}

std::vector<std::string_view> split_whitespace(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
      ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])))
      ++j;
    if (j > i)
      out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

struct shorthand {
  std::string_view name;
  std::string_view expansion;
};

constexpr std::array<shorthand, 7> shorthands = {{
    {"@hourly", "0 * * * *"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},
    {"@monthly", "0 0 1 * *"},
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
}};

// The longest day each month can have (February counts its leap day).
constexpr std::array<unsigned, 13> max_days = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

} // namespace

caf::expected<cron_schedule> cron_schedule::parse(std::string_view expr) {
  auto fields = split_whitespace(expr);
  if (fields.empty())
    return make_error(ec::invalid_argument, "empty cron expression");
  std::string_view expanded;
  if (fields[0].front() == '@') {
    if (iequals(fields[0], "@reboot"))
      return make_error(ec::invalid_argument,
                        "@reboot is not supported: bulkd has no boot-time runs; use a 5-field "
                        "schedule or run the job on demand");
    for (auto& s : shorthands)
      if (iequals(fields[0], s.name))
        expanded = s.expansion;
    if (expanded.empty())
      return make_error(ec::invalid_argument,
                        "unknown shorthand " + quoted(fields[0]) +
                            " (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or "
                            "@annually)");
    if (fields.size() > 1)
      return make_error(ec::invalid_argument,
                        "unexpected " + quoted(fields[1]) + " after " + std::string{fields[0]});
    fields = split_whitespace(expanded);
  }
  if (fields.size() != 5)
    return make_error(ec::invalid_argument,
                      "expected 5 fields (minute hour day-of-month month day-of-week), got " +
                          std::to_string(fields.size()));
  const field_spec* specs[] = {&minute_field, &hour_field, &dom_field, &month_field, &dow_field};
  uint64_t bits[5] = {};
  for (size_t i = 0; i < 5; ++i) {
    auto b = parse_field(*specs[i], fields[i]);
    if (!b)
      return std::move(b.error());
    bits[i] = *b;
  }
  cron_schedule result;
  result.text_ = std::string{expr};
  result.minutes_ = std::bitset<60>{bits[0]};
  result.hours_ = std::bitset<24>{bits[1]};
  result.days_of_month_ = std::bitset<32>{bits[2]};
  result.months_ = std::bitset<13>{bits[3]};
  result.days_of_week_ = std::bitset<7>{(bits[4] | (bits[4] >> 7)) & 0x7f}; // 7 -> Sunday
  result.dom_restricted_ = fields[2].front() != '*';
  result.dow_restricted_ = fields[4].front() != '*';
  // Every weekday occurs in every month, so with the OR rule some day always matches. Otherwise
  // the day-of-month must exist in one of the months (any weekday falls on it in some year).
  if (!(result.dom_restricted_ && result.dow_restricted_)) {
    bool possible = false;
    for (unsigned m = 1; m <= 12; ++m)
      for (unsigned d = 1; d <= max_days[m]; ++d)
        possible = possible || (result.months_[m] && result.days_of_month_[d]);
    if (!possible)
      return make_error(ec::invalid_argument, "schedule never fires: day-of-month " +
                                                  quoted(fields[2]) + " does not occur in month " +
                                                  quoted(fields[3]));
  }
  return result;
}

bool cron_schedule::day_matches(int y, unsigned m, unsigned d) const {
  using namespace std::chrono;
  bool dom = days_of_month_[d];
  bool dow = days_of_week_[weekday{sys_days{year{y} / month{m} / day{d}}}.c_encoding()];
  return dom_restricted_ && dow_restricted_ ? dom || dow : dom && dow;
}

cron_schedule::time_point cron_schedule::next_after(time_point after) const {
  using namespace std::chrono;
  if (months_.none() || days_of_month_.none() || hours_.none() || minutes_.none())
    return time_point::max();
  auto t = floor<minutes>(after) + minutes{1};
  auto midnight = floor<days>(t);
  year_month_day ymd{midnight};
  int y = static_cast<int>(ymd.year());
  unsigned m = static_cast<unsigned>(ymd.month());
  unsigned d = static_cast<unsigned>(ymd.day());
  int h = static_cast<int>(floor<hours>(t - midnight).count());
  int mi = static_cast<int>(floor<minutes>(t - midnight).count() % 60);
  auto next_month = [&] {
    if (++m > 12) {
      m = 1;
      ++y;
    }
    d = 1;
    h = 0;
    mi = 0;
  };
  auto next_day = [&] {
    if (++d > static_cast<unsigned>(year_month_day_last{year{y}, month_day_last{month{m}}}.day())) {
      next_month();
      return;
    }
    h = 0;
    mi = 0;
  };
  // Each step skips a whole month, day or hour; parse() guarantees a match within a few decades.
  while (y <= 9999) {
    if (!months_[m]) {
      next_month();
    } else if (!day_matches(y, m, d)) {
      next_day();
    } else if (!hours_[h]) {
      if (++h == 24)
        next_day();
      else
        mi = 0;
    } else {
      while (mi < 60 && !minutes_[mi])
        ++mi;
      if (mi < 60) {
        auto fire = sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{mi};
        // system_clock counts nanoseconds and ends in 2262.
        if (fire > floor<minutes>(time_point::max()))
          return time_point::max();
        return fire;
      }
      if (++h == 24)
        next_day();
      else
        mi = 0;
    }
  }
  return time_point::max();
}

} // namespace bulkd
