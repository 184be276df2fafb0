#include "jobs/bulk_upsert/adaptive_concurrency.hpp"

#include <catch2/catch.hpp>

using bulkd::adaptive_concurrency;
using namespace std::chrono_literals;

namespace {
const adaptive_concurrency::clock::time_point t0{};
}

TEST_CASE("concurrency: initial value is clamped to [1, max]", "[concurrency]") {
  CHECK(adaptive_concurrency(0, 10, t0).limit() == 1);
  CHECK(adaptive_concurrency(50, 10, t0).limit() == 10);
  CHECK(adaptive_concurrency(5, 0, t0).limit() == 1);
  CHECK(adaptive_concurrency(5, 0, t0).max() == 1);
}

TEST_CASE("concurrency: +1 per full second of successes, up to max", "[concurrency]") {
  adaptive_concurrency c{2, 8, t0};
  c.on_success(t0 + 999ms);
  CHECK(c.limit() == 2);
  c.on_success(t0 + 1s);
  CHECK(c.limit() == 3);
  c.on_success(t0 + 1500ms);
  CHECK(c.limit() == 3);
  // Steady successes every 100 ms: one step per second, not one per success.
  for (auto t = 1600ms; t <= 4000ms; t += 100ms)
    c.on_success(t0 + t);
  CHECK(c.limit() == 6);
  for (auto t = 4100ms; t <= 20s; t += 100ms)
    c.on_success(t0 + t);
  CHECK(c.limit() == 8);
}

TEST_CASE("concurrency: an idle gap adds one step, not one per second", "[concurrency]") {
  adaptive_concurrency c{4, 100, t0};
  c.on_success(t0 + 30s);
  CHECK(c.limit() == 5);
  c.on_success(t0 + 30s + 500ms);
  CHECK(c.limit() == 5);
  c.on_success(t0 + 31s);
  CHECK(c.limit() == 6);
}

TEST_CASE("concurrency: a throttle halves, a burst of throttles cuts once", "[concurrency]") {
  adaptive_concurrency c{32, 64, t0};
  c.on_throttle(t0 + 10ms);
  CHECK(c.limit() == 16);
  // The other 15 requests of the same moment come back 429 as well.
  for (int i = 0; i < 15; ++i)
    c.on_throttle(t0 + 20ms + i * 10ms);
  CHECK(c.limit() == 16);
  c.on_throttle(t0 + 1010ms); // a second later: a new cut
  CHECK(c.limit() == 8);
  for (int s = 2; s < 10; ++s)
    c.on_throttle(t0 + std::chrono::seconds{s} + 10ms);
  CHECK(c.limit() == 1); // never below 1
}

TEST_CASE("concurrency: throttles postpone the next increase", "[concurrency]") {
  adaptive_concurrency c{10, 64, t0};
  c.on_throttle(t0 + 500ms);
  CHECK(c.limit() == 5);
  c.on_success(t0 + 1200ms); // only 0.7 s since the cut
  CHECK(c.limit() == 5);
  c.on_throttle(t0 + 1300ms); // within the cut window: no cut, but no increase either
  CHECK(c.limit() == 5);
  c.on_success(t0 + 2200ms);
  CHECK(c.limit() == 5);
  c.on_success(t0 + 2300ms);
  CHECK(c.limit() == 6);
}
