// The change-feed lag of one range: the LSN in a continuation, items and seconds behind, and
// "unknown" before the first checkpoint.

#include "clients/error.hpp"
#include "jobs/change_feed/range_lag.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

std::chrono::system_clock::time_point at(int64_t seconds) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{seconds}};
}

} // namespace

TEST_CASE("continuation_lsn: a quoted decimal LSN", "[jobs][change_feed][lag]") {
  CHECK(continuation_lsn("\"42\"") == 42);
  CHECK(continuation_lsn("\"0\"") == 0);
  CHECK(continuation_lsn("\"9223372036854775807\"") == INT64_C(9223372036854775807));
}

TEST_CASE("continuation_lsn: anything else is refused with the reason",
          "[jobs][change_feed][lag]") {
  auto message = [](std::string_view text) {
    auto lsn = continuation_lsn(text);
    REQUIRE_FALSE(lsn);
    return render(lsn.error());
  };
  CHECK(message("42") == "parse_error: change-feed continuation '42' is not a quoted LSN such as "
                         "\"42\": it is not in double quotes");
  CHECK(message("") == "parse_error: change-feed continuation '' is not a quoted LSN such as "
                       "\"42\": it is not in double quotes");
  CHECK(message("*") == "parse_error: change-feed continuation '*' is not a quoted LSN such as "
                        "\"42\": it is not in double quotes");
  CHECK(message("\"42") == "parse_error: change-feed continuation '\"42' is not a quoted LSN "
                           "such as \"42\": it is not in double quotes");
  CHECK(message("\"\"") == "parse_error: change-feed continuation '\"\"' is not a quoted LSN "
                           "such as \"42\": no digits");
  CHECK(message("\"-1\"") == "parse_error: change-feed continuation '\"-1\"' is not a quoted LSN "
                             "such as \"42\": only the digits 0-9 may be inside the quotes");
  CHECK(message("\"4 2\"") == "parse_error: change-feed continuation '\"4 2\"' is not a quoted "
                              "LSN such as \"42\": only the digits 0-9 may be inside the quotes");
  CHECK(message("\"9223372036854775808\"") ==
        "parse_error: change-feed continuation '\"9223372036854775808\"' is not a quoted LSN such "
        "as \"42\": the number is too large");
}

TEST_CASE("range lag: unknown before the first checkpoint, even after reads",
          "[jobs][change_feed][lag]") {
  range_lag_tracker t;
  CHECK(t.lag(at(1000)) == range_lag{});
  t.observed(50);
  CHECK(t.lag(at(1000)) == range_lag{});
}

TEST_CASE("range lag: items are session LSN minus the checkpointed LSN, seconds the age of the "
          "last delivered change",
          "[jobs][change_feed][lag]") {
  range_lag_tracker t;
  t.checkpointed("\"40\"", 100, 1000);
  CHECK(t.lag(at(1030)) == range_lag{60, 30});
  // A later read sees more writes; the checkpoint has not moved.
  t.observed(120);
  CHECK(t.lag(at(1040)) == range_lag{80, 40});
  // An older session LSN (another replica's answer) does not lower what was seen.
  t.observed(110);
  CHECK(t.lag(at(1040)).items == 80);
  // The next batch is checkpointed; its read had seen LSN 120.
  t.checkpointed("\"90\"", 120, 1020);
  CHECK(t.lag(at(1040)) == range_lag{30, 20});
}

TEST_CASE("range lag: caught up is 0 items and 0 seconds, however old the last change is",
          "[jobs][change_feed][lag]") {
  range_lag_tracker t;
  t.checkpointed("\"120\"", 120, 1000);
  CHECK(t.lag(at(5000)) == range_lag{0, 0});
  // A position-only checkpoint (no changes, e.g. start_from now) is caught up too.
  range_lag_tracker now;
  now.checkpointed("\"7\"", 7, std::nullopt);
  CHECK(now.lag(at(5000)) == range_lag{0, 0});
  // Never negative when the checkpoint is ahead of the session LSN seen.
  range_lag_tracker ahead;
  ahead.checkpointed("\"10\"", 8, 1000);
  CHECK(ahead.lag(at(900)) == range_lag{0, 0});
}

TEST_CASE("range lag: a value it needs is missing -> that part is unknown",
          "[jobs][change_feed][lag]") {
  // No session token on the answers: items unknown; seconds still from _ts.
  range_lag_tracker no_session;
  no_session.checkpointed("\"40\"", std::nullopt, 1000);
  CHECK(no_session.lag(at(1010)) == range_lag{std::nullopt, 10});
  // An etag that is not a quoted LSN (an opaque continuation).
  range_lag_tracker opaque;
  opaque.checkpointed("W/\"abc\"", 100, 1000);
  CHECK(opaque.lag(at(1010)) == range_lag{std::nullopt, 10});
  // Behind, but no _ts was ever seen.
  range_lag_tracker no_ts;
  no_ts.checkpointed("\"5\"", 5, std::nullopt);
  no_ts.observed(9);
  CHECK(no_ts.lag(at(1010)) == range_lag{4, std::nullopt});
  // The clock behind the change's _ts gives 0, not a negative age.
  range_lag_tracker skew;
  skew.checkpointed("\"5\"", 9, 2000);
  CHECK(skew.lag(at(1990)) == range_lag{4, 0});
}
