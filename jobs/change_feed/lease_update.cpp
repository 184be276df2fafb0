#include "jobs/change_feed/lease_update.hpp"

#include "clients/error.hpp"

namespace bulkd {

const char* to_string(lease_change change) {
  switch (change) {
  case lease_change::acquire:
    return "acquire";
  case lease_change::renew:
    return "renew";
  case lease_change::checkpoint:
    return "checkpoint";
  case lease_change::release:
    return "release";
  }
  return "?";
}

utc_time lease_now() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

caf::expected<lease> apply_change(lease current, lease_change change, std::string_view me,
                                  utc_time now, std::string_view continuation) {
  if (change != lease_change::acquire && current.owner != me)
    return make_error(ec::conflict,
                      "lease " + current.range.token + " lost: " +
                          (current.owner.empty() ? std::string{"released"}
                                                 : "owned by " + current.owner + " now"));
  switch (change) {
  case lease_change::acquire:
    current.owner = me;
    break;
  case lease_change::renew:
    break;
  case lease_change::checkpoint:
    current.continuation = continuation;
    break;
  case lease_change::release:
    current.owner.clear();
    break;
  }
  current.timestamp = now;
  return current;
}

caf::error acquire_conflict(const lease& current) {
  return make_error(ec::conflict,
                    "lease " + current.range.token + " changed since it was listed (owner " +
                        (current.owner.empty() ? std::string{"none"} : current.owner) + ")");
}

caf::error lease_gone(std::string_view token) {
  return make_error(ec::not_found, "lease " + std::string{token} + " is gone (split or deleted)");
}

} // namespace bulkd
