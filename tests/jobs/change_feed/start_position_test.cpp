// The text form of start positions and where a lease without continuation starts.

#include "clients/error.hpp"
#include "jobs/change_feed/start_position.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace std::chrono_literals;

TEST_CASE("start position: beginning, now and times round trip", "[jobs][lease]") {
  auto b = parse_start_position("beginning");
  REQUIRE(b);
  CHECK(b->kind == start_position::beginning);
  CHECK(to_string(*b) == "beginning");
  auto n = parse_start_position("now");
  REQUIRE(n);
  CHECK(n->kind == start_position::now);
  CHECK(to_string(*n) == "now");
  auto t = parse_start_position("2026-11-21T20:30:00.250+01:00");
  REQUIRE(t);
  CHECK(t->kind == start_position::time);
  CHECK(to_string(*t) == "2026-11-21T19:30:00.250Z");
  CHECK(parse_start_position(to_string(*t)) == t);
}

TEST_CASE("start position: anything else is refused with the text", "[jobs][lease][bad_input]") {
  for (auto bad : {"", "Beginning", "now ", "yesterday", "2026-13-01T00:00:00Z", "1700000000"}) {
    auto x = parse_start_position(bad);
    REQUIRE_FALSE(x);
    CHECK(render(x.error()) == "parse_error: expected beginning, now or an RFC 3339 time, not \"" +
                                   std::string{bad} + "\"");
  }
}

TEST_CASE("start position: a lease starts from its StartFrom, else the spec's", "[jobs][lease]") {
  start_position spec;
  spec.kind = start_position::now;
  lease l;
  CHECK(start_of(l, spec) == spec);
  l.start_from = "beginning";
  CHECK(start_of(l, spec).kind == start_position::beginning);
  l.start_from = "2026-11-21T19:30:00Z";
  auto at = start_of(l, spec);
  CHECK(at.kind == start_position::time);
  CHECK(to_string(at) == "2026-11-21T19:30:00Z");
}
