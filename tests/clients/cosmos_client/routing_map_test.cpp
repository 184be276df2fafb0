#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/routing_map.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace bulkd;
using namespace bulkd::cosmos;

namespace {

std::vector<partition_key_range> even_ranges(size_t count, int first_id = 0) {
  auto split = split_epk_space(count, 2);
  REQUIRE(split);
  std::vector<partition_key_range> out;
  for (size_t i = 0; i < split->size(); ++i)
    out.push_back({std::to_string(first_id + static_cast<int>(i)),
                   (*split)[i].min,
                   (*split)[i].max,
                   {},
                   "online"});
  return out;
}

routing_map make_map(std::vector<partition_key_range> ranges) {
  auto map = routing_map::make(std::move(ranges));
  REQUIRE(map);
  return *map;
}

std::string failure(std::vector<partition_key_range> ranges) {
  auto map = routing_map::make(std::move(ranges));
  REQUIRE_FALSE(map);
  return render(map.error());
}

// The range holding `epk` by looking at each one.
std::string brute_force(const routing_map& map, const std::string& epk) {
  for (const auto& r : map.ranges())
    if (r.range().contains(epk))
      return r.id;
  return "none";
}

} // namespace

TEST_CASE("routing with 1, 4 and 8 ranges sends each key to the range holding its EPK",
          "[cosmos][client][routing]") {
  for (size_t count : {1u, 4u, 8u}) {
    INFO(count << " ranges");
    auto ranges = even_ranges(count);
    std::reverse(ranges.begin(), ranges.end()); // the service does not promise an order
    auto map = make_map(ranges);
    REQUIRE(map.size() == count);
    CHECK(map.ranges().front().min_inclusive.empty());
    CHECK(map.ranges().back().max_exclusive == "FF");
    std::map<std::string, int> hits;
    for (int i = 0; i < 2000; ++i) {
      auto epk = epk_v2({std::string{"key-"} + std::to_string(i)});
      auto range = map.route(epk);
      REQUIRE(range != nullptr);
      CHECK(range->id == brute_force(map, epk));
      ++hits[range->id];
    }
    // V2 hashes spread over every range of an even split.
    CHECK(hits.size() == count);
    for (auto& [id, n] : hits)
      CHECK(n > 2000 / static_cast<int>(count) / 2);
    CHECK(map.route("")->id == map.ranges().front().id);
    CHECK(map.route("FF") == nullptr);
    CHECK(map.route("FFFF") == nullptr);
  }
}

TEST_CASE("routing at the boundaries: min inclusive, max exclusive", "[cosmos][client][routing]") {
  auto map =
      make_map({{"a", "", "20", {}, ""}, {"b", "20", "3F", {}, ""}, {"c", "3F", "FF", {}, ""}});
  CHECK(map.route("1FFFFFFF")->id == "a");
  CHECK(map.route("20")->id == "b");
  CHECK(map.route("2000000000")->id == "b"); // zero padding: the same bound
  CHECK(map.route("3EFF")->id == "b");
  CHECK(map.route("3F")->id == "c");
  CHECK(map.route("3f00")->id == "c"); // hex case does not matter
  CHECK(map.route("FE")->id == "c");
  CHECK(map.find("b")->min_inclusive == "20");
  CHECK(map.find("z") == nullptr);
  auto over = map.overlapping({"1F", "3F"});
  REQUIRE(over.size() == 2);
  CHECK(over[0]->id == "a");
  CHECK(over[1]->id == "b");
}

TEST_CASE("after a split the parent is dropped and its children take over",
          "[cosmos][client][routing]") {
  auto before = make_map(even_ranges(1));
  auto key = epk_v2({std::string{"tenant-7"}});
  CHECK(before.route(key)->id == "0");
  // The A-IM read after the split returns the children, each naming the parent.
  std::vector<partition_key_range> children = {
      {"1", "", "20000000000000000000000000000000", {"0"}, "online"},
      {"2", "20000000000000000000000000000000", "FF", {"0"}, "online"},
  };
  auto after = before.apply(children, "\"2\"");
  REQUIRE(after);
  CHECK(after->size() == 2);
  CHECK(after->etag() == "\"2\"");
  CHECK(after->find("0") == nullptr);
  auto kids = after->children_of("0");
  REQUIRE(kids.size() == 2);
  CHECK(kids[0]->id == "1");
  CHECK(kids[1]->id == "2");
  // The children that overlap the parent's old bounds are where its work continues.
  CHECK(after->overlapping(before.find("0")->range()).size() == 2);
  CHECK(after->route(key)->id == (key < std::string{"2"} ? "1" : "2"));
  CHECK(after->route(key)->id == brute_force(*after, key));
  // The original map is unchanged.
  CHECK(before.find("0") != nullptr);

  // A full read that still lists the parent next to its children (as a change feed of ranges
  // does) gives the same map.
  auto all = children;
  all.insert(all.begin(), {"0", "", "FF", {}, "online"});
  auto full = routing_map::make(all);
  REQUIRE(full);
  CHECK(full->ranges() == after->ranges());

  // A second split of child 2, with the ancestry listed.
  auto again = after->apply({{"3", "20000000000000000000000000000000", "30", {"0", "2"}, ""},
                             {"4", "30", "FF", {"0", "2"}, ""}},
                            "\"3\"");
  REQUIRE(again);
  CHECK(again->size() == 3);
  CHECK(again->route("31")->id == "4");
  CHECK(again->route("00")->id == "1");
}

TEST_CASE("incomplete range sets are refused with the problem named", "[cosmos][client][routing]") {
  CHECK(failure({}) == "invalid_argument: incomplete partition key ranges: no ranges");
  CHECK(failure({{"1", "", "20", {"0"}, ""}, {"0", "", "FF", {"1"}, ""}}) ==
        "invalid_argument: incomplete partition key ranges: no ranges");
  CHECK(failure({{"1", "00", "FF", {}, ""}, {"1", "", "00", {}, ""}}) ==
        "invalid_argument: incomplete partition key ranges: range id 1 appears twice");
  CHECK(failure({{"1", "20", "20", {}, ""}}) ==
        "invalid_argument: incomplete partition key ranges: range 1 is empty: [\"20\", \"20\")");
  CHECK(failure({{"1", "10", "FF", {}, ""}}) ==
        "invalid_argument: incomplete partition key ranges: the first range (1) starts at "
        "\"10\", not \"\"");
  CHECK(failure({{"1", "", "3F", {}, ""}}) ==
        "invalid_argument: incomplete partition key ranges: the last range (1) ends at \"3F\", "
        "not \"FF\"");
  CHECK(failure({{"1", "", "20", {}, ""}, {"2", "30", "FF", {}, ""}}) ==
        "invalid_argument: incomplete partition key ranges: gap between range 1 (ends at "
        "\"20\") and range 2 (starts at \"30\")");
  CHECK(failure({{"1", "", "30", {}, ""}, {"2", "20", "FF", {}, ""}}) ==
        "invalid_argument: incomplete partition key ranges: ranges 1 and 2 overlap (\"30\" > "
        "\"20\")");
  // A split read without the parents listed: parent and children overlap.
  CHECK(failure({{"0", "", "FF", {}, ""}, {"1", "", "20", {}, ""}, {"2", "20", "FF", {}, ""}}) ==
        "invalid_argument: incomplete partition key ranges: ranges 1 and 0 overlap (\"20\" > "
        "\"\")");
}
