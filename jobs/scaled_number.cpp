#include "jobs/scaled_number.hpp"

#include <charconv>

namespace bulkd {

scaled_number parse_scaled_number(std::string_view text, std::span<const unit_factor> units,
                                  bool unit_optional, uint64_t max) {
  if (text.empty())
    return {0, "empty"};
  if (text.front() == '-')
    return {0, "negative"};
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0)
    return {0, "no number"};
  auto suffix = text.substr(digits);
  uint64_t factor = 0;
  if (suffix.empty()) {
    if (!unit_optional)
      return {0, "missing unit"};
    factor = 1;
  }
  for (auto& u : units)
    if (u.suffix == suffix)
      factor = u.factor;
  if (factor == 0)
    return {0, "unknown unit"};
  uint64_t n = 0;
  auto [ptr, err] = std::from_chars(text.data(), text.data() + digits, n);
  if (err != std::errc{} || ptr != text.data() + digits || n > max / factor)
    return {0, "too large"};
  return {n * factor, {}};
}

std::string format_scaled_number(uint64_t value, std::span<const unit_factor> units,
                                 std::string_view fallback_suffix) {
  for (auto& u : units)
    if (u.factor > 1 && value % u.factor == 0)
      return std::to_string(value / u.factor) + std::string{u.suffix};
  return std::to_string(value) + std::string{fallback_suffix};
}

} // namespace bulkd
