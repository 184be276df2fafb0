#include "clients/keyvault/retry_after.hpp"

#include "clients/cosmos/http_date.hpp"
#include "clients/error.hpp"

#include <charconv>
#include <cstdint>

namespace bulkd::keyvault {

namespace {

// Non-negative decimal digits only; nullopt otherwise or on overflow.
std::optional<int64_t> digits(std::string_view s) {
  if (s.empty() || s.size() > 12)
    return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.front() == '-' || s.front() == '+')
    return std::nullopt;
  return value;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

} // namespace

std::chrono::milliseconds backoff_step(int attempt) {
  using namespace std::chrono;
  if (attempt < 1)
    attempt = 1;
  if (attempt > 5)
    return max_backoff_step;
  return seconds{int64_t{1} << (attempt - 1)};
}

caf::expected<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  auto v = trimmed(value);
  if (auto n = digits(v))
    return milliseconds{seconds{*n}};
  auto date = cosmos::parse_http_date(v);
  if (!date)
    return make_error(ec::parse_error, "invalid Retry-After \"" + std::string{value} +
                                           "\" (expected seconds or an HTTP date)");
  auto wait = duration_cast<milliseconds>(*date - now);
  return wait.count() < 0 ? milliseconds{0} : wait;
}

std::optional<std::chrono::milliseconds>
server_retry_delay(const http_headers& headers, std::chrono::system_clock::time_point now) {
  for (auto name : {"retry-after-ms", "x-ms-retry-after-ms"})
    if (auto* v = headers.find(name))
      if (auto n = digits(trimmed(*v)))
        return std::chrono::milliseconds{*n};
  if (auto* v = headers.find("Retry-After"))
    if (auto wait = parse_retry_after(*v, now))
      return *wait;
  return std::nullopt;
}

std::chrono::milliseconds retry_delay(const http_headers& headers, int attempt,
                                      std::chrono::system_clock::time_point now) {
  if (auto wait = server_retry_delay(headers, now))
    return *wait;
  return backoff_step(attempt);
}

} // namespace bulkd::keyvault
