#include "clients/cosmos/epk_range.hpp"

#include "clients/cosmos/epk_hash.hpp"
#include "clients/error.hpp"

#include <cctype>

namespace bulkd::cosmos {

namespace {

constexpr size_t max_ranges = 65536;

char upper(char c) {
  return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
}

bool all_zero(std::string_view text) {
  return text.find_first_not_of('0') == std::string_view::npos;
}

// Boundary i of count in the masked V2 space [0, 2^126), as 32 hex digits.
std::string v2_boundary(size_t i, size_t count) {
  using u128 = unsigned __int128;
  constexpr u128 space = u128{1} << 126;
  auto value = space / count * i + space % count * i / count;
  std::vector<uint8_t> bytes(16);
  for (int b = 15; b >= 0; --b) {
    bytes[static_cast<size_t>(b)] = static_cast<uint8_t>(value);
    value >>= 8;
  }
  return to_hex(bytes);
}

// Boundary i of count over the 32-bit hash values, encoded like the head of a V1 EPK.
std::string v1_boundary(size_t i, size_t count) {
  auto hash = (uint64_t{1} << 32) * i / count;
  return to_hex(encode_number_v1(static_cast<double>(hash)));
}

} // namespace

int compare_epk(std::string_view lhs, std::string_view rhs) {
  auto n = std::min(lhs.size(), rhs.size());
  for (size_t i = 0; i < n; ++i) {
    auto a = upper(lhs[i]);
    auto b = upper(rhs[i]);
    if (a != b)
      return a < b ? -1 : 1;
  }
  if (lhs.size() == rhs.size())
    return 0;
  if (lhs.size() > rhs.size())
    return all_zero(lhs.substr(n)) ? 0 : 1;
  return all_zero(rhs.substr(n)) ? 0 : -1;
}

bool epk_range::contains(std::string_view epk) const {
  if (compare_epk(epk, min) < 0)
    return false;
  auto upper_cmp = compare_epk(epk, max);
  return max_inclusive ? upper_cmp <= 0 : upper_cmp < 0;
}

bool epk_range::empty() const {
  auto cmp = compare_epk(min, max);
  return max_inclusive ? cmp > 0 : cmp >= 0;
}

bool epk_range::overlaps(const epk_range& other) const {
  if (empty() || other.empty())
    return false;
  // Each must start before the other ends.
  auto starts_before_end = [](const epk_range& a, const epk_range& b) {
    auto cmp = compare_epk(a.min, b.max);
    return b.max_inclusive ? cmp <= 0 : cmp < 0;
  };
  return starts_before_end(*this, other) && starts_before_end(other, *this);
}

caf::expected<std::vector<epk_range>> split_epk_space(size_t count, int hash_version) {
  if (count == 0 || count > max_ranges)
    return make_error(ec::invalid_argument, "the number of ranges must be between 1 and " +
                                                std::to_string(max_ranges) + ", not " +
                                                std::to_string(count));
  if (hash_version != 1 && hash_version != 2)
    return make_error(ec::invalid_argument,
                      "unsupported hash version " + std::to_string(hash_version));
  std::vector<epk_range> ranges;
  ranges.reserve(count);
  std::string lower{min_epk};
  for (size_t i = 1; i < count; ++i) {
    auto bound = hash_version == 2 ? v2_boundary(i, count) : v1_boundary(i, count);
    ranges.push_back({lower, bound});
    lower = std::move(bound);
  }
  ranges.push_back({lower, std::string{max_epk}});
  return ranges;
}

} // namespace bulkd::cosmos
