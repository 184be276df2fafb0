// The validate warning for leases that started elsewhere than the spec's start_from says.

#include "jobs/change_feed/lease_start_check.hpp"
#include "jobs/change_feed/start_position.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;

namespace {

start_position pos(const char* text) {
  auto p = parse_start_position(text);
  REQUIRE(p);
  return *p;
}

lease with_start(std::string token, std::string start_from) {
  lease l;
  l.range = {token, "", "FF"};
  l.start_from = std::move(start_from);
  return l;
}

} // namespace

TEST_CASE("lease start check: which StartFrom contradicts which start_from", "[jobs][lease]") {
  auto beginning = pos("beginning");
  auto now = pos("now");
  auto t1 = pos("2026-11-21T19:30:00Z");
  CHECK_FALSE(contradicts(beginning, with_start("0", "")));
  CHECK_FALSE(contradicts(t1, with_start("0", "")));
  CHECK_FALSE(contradicts(beginning, with_start("0", "beginning")));
  CHECK(contradicts(beginning, with_start("0", "now")));
  CHECK(contradicts(beginning, with_start("0", "2026-11-21T19:30:00Z")));
  CHECK(contradicts(now, with_start("0", "beginning")));
  CHECK_FALSE(contradicts(now, with_start("0", "now")));
  CHECK_FALSE(contradicts(now, with_start("0", "2026-11-21T19:30:00Z")));
  CHECK_FALSE(contradicts(t1, with_start("0", "2026-11-21T20:30:00+01:00")));
  CHECK(contradicts(t1, with_start("0", "2026-11-21T19:30:01Z")));
  CHECK(contradicts(t1, with_start("0", "now")));
  CHECK(contradicts(t1, with_start("0", "beginning")));
}

TEST_CASE("lease start check: the warning names the file, each start and the way out",
          "[jobs][lease]") {
  auto beginning = pos("beginning");
  std::vector<lease> agree{with_start("0", "beginning"), with_start("1", "")};
  CHECK(start_from_warning("feed", beginning, agree, "/s/leases/feed.json").empty());
  CHECK(start_from_warning("feed", beginning, {}, "/s/leases/feed.json").empty());
  std::vector<lease> one{with_start("0", "beginning"), with_start("1", "2026-11-21T22:00:00Z"),
                         with_start("2", "2026-11-21T22:00:00Z")};
  CHECK(start_from_warning("feed", beginning, one, "/s/leases/feed.json") ==
        "start_from: beginning in the spec, but the leases in /s/leases/feed.json were started "
        "from 2026-11-21T22:00:00Z: existing checkpoints win; `bulkd checkpoint reset feed --to "
        "beginning` starts over");
  std::vector<lease> several{with_start("0", "now"), with_start("1", "2026-11-21T22:00:00Z"),
                             with_start("2", "2026-01-01T00:00:00Z")};
  CHECK(start_from_warning("feed", pos("2026-01-01T00:00:00Z"), several, "F") ==
        "start_from: 2026-01-01T00:00:00Z in the spec, but the leases in F were started from now "
        "and 2026-11-21T22:00:00Z: existing checkpoints win; `bulkd checkpoint reset feed --to "
        "2026-01-01T00:00:00Z` starts over");
  CHECK(start_from_warning("feed", pos("now"), several, "F").empty());
}
