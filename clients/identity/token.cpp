#include "clients/identity/token.hpp"

#include "clients/http_headers.hpp"

#include <algorithm>

namespace bulkd::identity {

token make_token(std::string value, std::string type, seconds_clock_time obtained,
                 seconds_clock_time expires_on, std::optional<std::chrono::seconds> refresh_in) {
  token t;
  t.value = std::move(value);
  t.type = type.empty() || iequals(type, "bearer") ? std::string{"Bearer"} : std::move(type);
  t.obtained = obtained;
  t.expires_on = expires_on;
  auto lifetime = expires_on - obtained;
  auto half_life = obtained + lifetime / 2;
  auto before_end = expires_on - refresh_margin;
  auto refresh = std::min(half_life, before_end);
  if (refresh_in && *refresh_in > std::chrono::seconds{0})
    refresh = std::min(refresh, obtained + *refresh_in);
  t.refresh_on = std::max(refresh, obtained);
  return t;
}

void authorize(http_request& req, const token& t) {
  req.headers.set("Authorization", t.type + " " + t.value);
}

} // namespace bulkd::identity
