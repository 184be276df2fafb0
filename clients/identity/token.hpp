#pragma once

// An access token and when to replace it. A token is refreshed ahead of its expiry: once less
// than 5 minutes or less than half of its lifetime remain (for a 1 h token after 30 min), or at
// the refresh time the service named (refresh_in), whichever comes first.

#include "clients/http_request.hpp"

#include <caf/meta/type_name.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>

namespace caf::detail {
class stringification_inspector;
} // namespace caf::detail

namespace bulkd::identity {

using seconds_clock_time = std::chrono::sys_seconds;

/// The refresh margin before expiry.
inline constexpr std::chrono::seconds refresh_margin{300};

/// A token counts as expired this long before its expiry (clock skew, time in flight).
inline constexpr std::chrono::seconds expiry_skew{30};

struct token {
  std::string value; // never logged
  std::string type = "Bearer";
  seconds_clock_time obtained{};
  seconds_clock_time expires_on{};
  seconds_clock_time refresh_on{};

  /// Past expiry (minus expiry_skew): must not be sent any more.
  bool expired(seconds_clock_time now) const { return now + expiry_skew >= expires_on; }

  /// Time to fetch a new one (the old one may still be used meanwhile if not expired).
  bool needs_refresh(seconds_clock_time now) const { return now >= refresh_on; }

  friend bool operator==(const token&, const token&) = default;
};

/// Serializes everything; printing (deep_to_string, CAF's logs) shows "[redacted]" for the value.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token& x) {
  if constexpr (std::is_same_v<Inspector, caf::detail::stringification_inspector>) {
    std::string hidden = "[redacted]";
    return f(caf::meta::type_name("token"), hidden, x.type, x.obtained, x.expires_on, x.refresh_on);
  } else {
    return f(caf::meta::type_name("token"), x.value, x.type, x.obtained, x.expires_on,
             x.refresh_on);
  }
}

/// Builds a token with refresh_on computed as described above; `refresh_in` is the service's hint
/// in seconds from `obtained`.
token make_token(std::string value, std::string type, seconds_clock_time obtained,
                 seconds_clock_time expires_on,
                 std::optional<std::chrono::seconds> refresh_in = std::nullopt);

/// Sets "Authorization: <type> <value>" (type "Bearer" whatever case the service used).
void authorize(http_request& req, const token& t);

} // namespace bulkd::identity
