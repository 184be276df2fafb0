#include "jobs/token_bucket.hpp"

#include <catch2/catch.hpp>

using bulkd::token_bucket;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

namespace {
const token_bucket::clock::time_point t0{};
}

TEST_CASE("token bucket: starts full and owes after overspending", "[token_bucket]") {
  token_bucket b{100, 200, t0};
  CHECK(b.available(t0) == Approx(200));
  b.spend(150, t0);
  CHECK(b.wait_time(t0) == ms{0});
  b.spend(100, t0); // -50: half a second at 100 RU/s
  CHECK(b.available(t0) == Approx(-50));
  CHECK(b.wait_time(t0) == ms{500});
  CHECK(b.wait_time(t0 + 200ms) == ms{300});
  CHECK(b.wait_time(t0 + 500ms) == ms{0});
  CHECK(b.wait_time(t0 + 10s) == ms{0});
}

TEST_CASE("token bucket: refills at the rate up to the burst", "[token_bucket]") {
  token_bucket b{10, 20, t0};
  b.spend(20, t0);
  CHECK(b.available(t0 + 1s) == Approx(10));
  CHECK(b.available(t0 + 1min) == Approx(20)); // capped
  b.spend(25, t0 + 1min);                      // -5
  CHECK(b.wait_time(t0 + 1min) == ms{500});
  b.spend(0.001, t0 + 1min); // rounds up, never down to "no wait"
  CHECK(b.wait_time(t0 + 1min) == ms{501});
}

TEST_CASE("token bucket: rate 0 means no budget and time going back refills nothing",
          "[token_bucket]") {
  token_bucket unlimited{0, 0, t0};
  unlimited.spend(1e9, t0);
  CHECK(unlimited.wait_time(t0) == ms{0});

  token_bucket b{100, 100, t0 + 10s};
  b.spend(200, t0 + 10s);
  CHECK(b.wait_time(t0 + 5s) == ms{1000}); // earlier than the last spend: no refill
  b.spend(-50, t0 + 10s);                  // negative charges are ignored
  CHECK(b.wait_time(t0 + 10s) == ms{1000});
}
