#include "clients/error.hpp"
#include "clients/keyvault/retry_after.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::keyvault;
using namespace std::chrono;

namespace {

const system_clock::time_point now = sys_days{year{2026} / November / 21} + hours{14};

} // namespace

TEST_CASE("without Retry-After the ladder is 1-2-4-8-16 s", "[keyvault][retry]") {
  http_headers none;
  std::vector<milliseconds> waits;
  for (int attempt = 1; attempt <= 7; ++attempt)
    waits.push_back(retry_delay(none, attempt, now));
  CHECK(waits == std::vector<milliseconds>{1s, 2s, 4s, 8s, 16s, 16s, 16s});
  CHECK(backoff_step(0) == 1s);
}

TEST_CASE("Retry-After in seconds or as an HTTP date", "[keyvault][retry]") {
  CHECK(retry_delay({{"Retry-After", "30"}}, 1, now) == 30s);
  CHECK(retry_delay({{"retry-after", " 0 "}}, 4, now) == 0s);
  CHECK(retry_delay({{"Retry-After", "Sat, 21 Nov 2026 14:00:45 GMT"}}, 1, now) == 45s);
  // A date in the past means "now".
  CHECK(retry_delay({{"Retry-After", "Sat, 21 Nov 2026 13:00:00 GMT"}}, 3, now) == 0s);
  // Millisecond headers win.
  CHECK(retry_delay({{"Retry-After", "30"}, {"retry-after-ms", "1500"}}, 1, now) == 1500ms);
  CHECK(retry_delay({{"x-ms-retry-after-ms", "250"}}, 5, now) == 250ms);
  // A malformed value falls back to the ladder.
  CHECK(retry_delay({{"Retry-After", "soon"}}, 3, now) == 4s);
  CHECK(retry_delay({{"retry-after-ms", "-5"}}, 2, now) == 2s);
  CHECK_FALSE(server_retry_delay({{"Retry-After", "1.5"}}, now));
}

TEST_CASE("bad Retry-After values are reported", "[keyvault][retry]") {
  auto reason = [](std::string_view v) {
    auto r = parse_retry_after(v, now);
    REQUIRE_FALSE(r);
    return render(r.error());
  };
  CHECK(reason("soon") ==
        "parse_error: invalid Retry-After \"soon\" (expected seconds or an HTTP date)");
  CHECK(reason("-1") ==
        "parse_error: invalid Retry-After \"-1\" (expected seconds or an HTTP date)");
  CHECK(reason("") == "parse_error: invalid Retry-After \"\" (expected seconds or an HTTP date)");
  CHECK(reason("Sat, 21 Nov 2026 14:00:45 UTC") ==
        "parse_error: invalid Retry-After \"Sat, 21 Nov 2026 14:00:45 UTC\" (expected seconds or "
        "an HTTP date)");
  CHECK(reason("99999999999999") ==
        "parse_error: invalid Retry-After \"99999999999999\" (expected seconds or an HTTP date)");
}
