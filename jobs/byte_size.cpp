#include "jobs/byte_size.hpp"

#include "clients/error.hpp"

#include <charconv>
#include <limits>

namespace bulkd {

namespace {

struct unit {
  std::string_view suffix;
  uint64_t factor;
};

constexpr uint64_t ki = 1024;
constexpr uint64_t k = 1000;

// Binary units first so that formatting prefers them.
constexpr unit units[] = {
    {"TiB", ki* ki* ki* ki}, {"GiB", ki* ki* ki}, {"MiB", ki* ki}, {"KiB", ki}, {"TB", k* k* k* k},
    {"GB", k* k* k},         {"MB", k* k},        {"KB", k},       {"B", 1}};

} // namespace

caf::expected<uint64_t> parse_byte_size(std::string_view text) {
  auto bad = [&](const char* why) {
    return make_error(ec::invalid_argument, std::string{"invalid size '"} + std::string{text} +
                                                "': " + why +
                                                " (expected bytes or e.g. 512KiB, 256MiB, 1GB)");
  };
  if (text.empty())
    return bad("empty");
  if (text.front() == '-')
    return bad("negative");
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0)
    return bad("no number");
  auto suffix = text.substr(digits);
  uint64_t factor = suffix.empty() ? 1 : 0;
  for (auto& u : units)
    if (u.suffix == suffix)
      factor = u.factor;
  if (factor == 0)
    return bad("unknown unit");
  uint64_t n = 0;
  auto [ptr, err] = std::from_chars(text.data(), text.data() + digits, n);
  if (err != std::errc{} || ptr != text.data() + digits ||
      n > std::numeric_limits<uint64_t>::max() / factor)
    return bad("too large");
  return n * factor;
}

std::string format_byte_size(uint64_t bytes) {
  if (bytes == 0)
    return "0";
  for (auto& u : units)
    if (u.factor > 1 && bytes % u.factor == 0)
      return std::to_string(bytes / u.factor) + std::string{u.suffix};
  return std::to_string(bytes);
}

} // namespace bulkd
