#include "clients/cosmos/error_message.hpp"
#include "emulator/faults.hpp"

#include <catch2/catch.hpp>

using namespace bulkd::emulator;
using namespace std::chrono_literals;

namespace {

std::string error_of(std::string_view text) {
  auto spec = parse_faults(text);
  REQUIRE_FALSE(spec);
  return bulkd::cosmos::error_message(spec.error());
}

} // namespace

TEST_CASE("faults: the documented example parses", "[emulator][faults]") {
  auto spec = parse_faults("429=0.2,503=0.05,latency=20ms,reset=0.01");
  REQUIRE(spec);
  CHECK(spec->throttle == Approx(0.2));
  CHECK(spec->unavailable == Approx(0.05));
  CHECK(spec->reset == Approx(0.01));
  CHECK(spec->latency == 20ms);
  CHECK(spec->retry_after == 100ms);
  CHECK(spec->any());
  CHECK(to_string(*spec) == "429=0.2,503=0.05,reset=0.01,latency=20ms,retry-after=100ms");
}

TEST_CASE("faults: empty means none, and every option is read", "[emulator][faults]") {
  auto none = parse_faults("");
  REQUIRE(none);
  CHECK_FALSE(none->any());
  CHECK(to_string(*none) == "none");
  auto all = parse_faults(" 429 = 1 , retry-after=2s,seed=42, latency=0 ");
  REQUIRE(all);
  CHECK(all->throttle == 1);
  CHECK(all->retry_after == 2000ms);
  CHECK(all->seed == 42);
  CHECK(all->latency == 0ms);
}

TEST_CASE("faults: bad input names the token", "[emulator][faults]") {
  CHECK(error_of("429=2") ==
        "invalid --faults token '429=2': the probability must be a number from 0 to 1");
  CHECK(error_of("429=-0.1") ==
        "invalid --faults token '429=-0.1': the probability must be a number from 0 to 1");
  CHECK(error_of("503=abc") ==
        "invalid --faults token '503=abc': the probability must be a number from 0 to 1");
  CHECK(error_of("reset=") ==
        "invalid --faults token 'reset=': the probability must be a number from 0 to 1");
  CHECK(error_of("latency=20") ==
        "invalid --faults token 'latency=20': the duration must be like 20ms or 2s (at most one "
        "hour)");
  CHECK(error_of("latency=20us") ==
        "invalid --faults token 'latency=20us': the duration must be like 20ms or 2s (at most "
        "one hour)");
  CHECK(error_of("latency=2h") ==
        "invalid --faults token 'latency=2h': the duration must be like 20ms or 2s (at most one "
        "hour)");
  CHECK(error_of("404=0.1") == "invalid --faults token '404=0.1': unknown fault '404' (expected "
                               "429, 503, reset, latency, retry-after or seed)");
  CHECK(error_of("429") == "invalid --faults token '429': expected NAME=VALUE with NAME one of "
                           "429, 503, reset, latency, retry-after, seed");
  CHECK(error_of("429=0.1,,503=0.1") ==
        "invalid --faults: empty token (two commas in a row or a trailing comma)");
  CHECK(error_of("429=0.1,") ==
        "invalid --faults: empty token (two commas in a row or a trailing comma)");
  CHECK(error_of("429=0.1,429=0.2") == "invalid --faults token '429=0.2': '429' is given twice");
  CHECK(error_of("seed=x") == "invalid --faults token 'seed=x': the seed must be a non-negative "
                              "integer");
  CHECK(error_of("429=0.6,503=0.3,reset=0.2") ==
        "invalid --faults: the probabilities of 429, 503 and reset add up to more than 1");
}

TEST_CASE("faults: the same seed gives the same decisions", "[emulator][faults]") {
  auto spec = *parse_faults("429=0.3,503=0.2,reset=0.1,seed=7");
  fault_injector a{spec};
  fault_injector b{spec};
  int counts[4] = {};
  for (int i = 0; i < 2000; ++i) {
    auto kind = a.next();
    REQUIRE(kind == b.next());
    ++counts[static_cast<int>(kind)];
  }
  // Loose bounds: the draws follow the probabilities.
  CHECK(counts[static_cast<int>(fault_kind::throttle)] > 450);
  CHECK(counts[static_cast<int>(fault_kind::throttle)] < 750);
  CHECK(counts[static_cast<int>(fault_kind::unavailable)] > 250);
  CHECK(counts[static_cast<int>(fault_kind::unavailable)] < 550);
  CHECK(counts[static_cast<int>(fault_kind::reset)] > 100);
  CHECK(counts[static_cast<int>(fault_kind::reset)] < 300);
  fault_injector never{*parse_faults("latency=5ms")};
  for (int i = 0; i < 100; ++i)
    REQUIRE(never.next() == fault_kind::none);
  fault_injector always{*parse_faults("503=1")};
  for (int i = 0; i < 100; ++i)
    REQUIRE(always.next() == fault_kind::unavailable);
}
