#include "jobs/change_feed/range_lag.hpp"

#include "clients/error.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace bulkd {

caf::expected<int64_t> continuation_lsn(std::string_view continuation) {
  auto bad = [&](std::string_view why) {
    return make_error(ec::parse_error,
                      "change-feed continuation '" + std::string{continuation} +
                          "' is not a quoted LSN such as \"42\": " + std::string{why});
  };
  if (continuation.size() < 2 || continuation.front() != '"' || continuation.back() != '"')
    return bad("it is not in double quotes");
  auto digits = continuation.substr(1, continuation.size() - 2);
  if (digits.empty())
    return bad("no digits");
  if (digits.find_first_not_of("0123456789") != std::string_view::npos)
    return bad("only the digits 0-9 may be inside the quotes");
  int64_t value = 0;
  auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (err != std::errc{} || end != digits.data() + digits.size())
    return bad("the number is too large");
  return value;
}

void range_lag_tracker::checkpointed(std::string_view continuation,
                                     std::optional<int64_t> session_lsn,
                                     std::optional<int64_t> last_ts) {
  checkpointed_ = true;
  if (auto lsn = continuation_lsn(continuation))
    checkpoint_lsn_ = *lsn;
  else
    checkpoint_lsn_.reset();
  observed(session_lsn);
  if (last_ts)
    last_ts_ = last_ts;
}

void range_lag_tracker::observed(std::optional<int64_t> session_lsn) {
  if (session_lsn)
    session_lsn_ = session_lsn_ ? std::max(*session_lsn_, *session_lsn) : *session_lsn;
}

range_lag range_lag_tracker::lag(std::chrono::system_clock::time_point now) const {
  range_lag out;
  if (!checkpointed_)
    return out;
  if (checkpoint_lsn_ && session_lsn_)
    out.items = std::max<int64_t>(0, *session_lsn_ - *checkpoint_lsn_);
  if (out.items == 0) {
    out.seconds = 0;
  } else if (last_ts_) {
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    out.seconds = std::max<int64_t>(0, now_s - *last_ts_);
  }
  return out;
}

} // namespace bulkd
