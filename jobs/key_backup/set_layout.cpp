#include "jobs/key_backup/set_layout.hpp"

#include "clients/url.hpp"

#include <cstdio>

namespace bulkd::key_backup {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

} // namespace

caf::expected<std::string> vault_directory_name(std::string_view vault_url) {
  auto u = parse_url(vault_url);
  if (!u)
    return u.error();
  bool default_port =
      (u->scheme == "https" && u->port == 443) || (u->scheme == "http" && u->port == 80);
  std::string name = u->host;
  if (!default_port)
    name += "_" + std::to_string(u->port);
  for (auto& c : name)
    if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-'))
      c = '_';
  if (name.find_first_not_of('.') == std::string::npos)
    name = "_" + name; // never "." or ".."
  return name;
}

caf::expected<std::filesystem::path> vault_directory(const std::filesystem::path& destination,
                                                     std::string_view vault_url) {
  auto name = vault_directory_name(vault_url);
  if (!name)
    return name.error();
  return destination / *name;
}

std::string set_directory_name(utc_time started, unsigned sequence) {
  using namespace std::chrono;
  auto secs = floor<seconds>(started);
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss hms{secs - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d-%02d-%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::string name = buf;
  if (sequence > 1)
    name += "-" + std::to_string(sequence);
  return name;
}

std::optional<set_name> parse_set_directory_name(std::string_view name) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH-MM-SSZ
  constexpr std::string_view shape = "dddd-dd-ddTdd-dd-ddZ";
  if (name.size() < shape.size())
    return std::nullopt;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 'd' ? !is_digit(name[i]) : name[i] != shape[i])
      return std::nullopt;
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i)
      v = v * 10 + (name[i] - '0');
    return v;
  };
  year_month_day ymd{year{num(0, 4)}, month{static_cast<unsigned>(num(5, 2))},
                     day{static_cast<unsigned>(num(8, 2))}};
  int h = num(11, 2), m = num(14, 2), s = num(17, 2);
  if (!ymd.ok() || h > 23 || m > 59 || s > 59)
    return std::nullopt;
  set_name out;
  out.started = utc_time{sys_days{ymd} + hours{h} + minutes{m} + seconds{s}};
  auto rest = name.substr(shape.size());
  if (!rest.empty()) {
    // "-N" with N >= 2, no leading zero, at most 6 digits.
    if (rest.size() < 2 || rest.size() > 7 || rest[0] != '-' || rest[1] == '0')
      return std::nullopt;
    unsigned seq = 0;
    for (auto c : rest.substr(1)) {
      if (!is_digit(c))
        return std::nullopt;
      seq = seq * 10 + static_cast<unsigned>(c - '0');
    }
    if (seq < 2)
      return std::nullopt;
    out.sequence = seq;
  }
  if (set_directory_name(out.started, out.sequence) != name)
    return std::nullopt;
  return out;
}

std::string key_file_name(std::string_view key_name, bool encrypted) {
  std::string name{key_name};
  name += encrypted ? ".kvbackup.enc" : ".kvbackup";
  return name;
}

} // namespace bulkd::key_backup
