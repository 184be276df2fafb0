#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/epk_range.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace bulkd::cosmos;

TEST_CASE("EPKs compare as the service orders them", "[cosmos][range]") {
  CHECK(compare_epk("", "00") == 0);
  CHECK(compare_epk("", "05C1") < 0);
  CHECK(compare_epk("05C1", "FF") < 0);
  CHECK(compare_epk("3FFFFFFF", "FF") < 0);
  CHECK(compare_epk("AB", "ab") == 0);
  CHECK(compare_epk("1F", "2") < 0);
  // A trailing all-zero tail is the same bound (padded MultiHash bounds).
  CHECK(compare_epk("22E342F38A486A088463DFF7838A5963",
                    "22E342F38A486A088463DFF7838A596300000000000000000000000000000000") == 0);
  CHECK(compare_epk("22E3", "22E301") < 0);
  CHECK(compare_epk("22E301", "22E3") > 0);
}

TEST_CASE("EPK ranges are half-open", "[cosmos][range]") {
  epk_range r{"20", "40"};
  CHECK(r.contains("20"));
  CHECK(r.contains("2000"));
  CHECK(r.contains("3FFFFFFF"));
  CHECK_FALSE(r.contains("40"));
  CHECK_FALSE(r.contains("1FFF"));
  CHECK_FALSE(r.empty());
  CHECK(epk_range{"20", "20"}.empty());
  CHECK_FALSE((epk_range{"20", "20", true}.empty()));
  CHECK(r.overlaps(epk_range{"30", "50"}));
  CHECK(r.overlaps(epk_range{"", "21"}));
  CHECK_FALSE(r.overlaps(epk_range{"40", "FF"}));
  CHECK_FALSE(r.overlaps(epk_range{"", "20"}));
  CHECK(r.overlaps(epk_range{"30", "30", true}));
  CHECK_FALSE(r.overlaps(epk_range{"40", "40", true}));
  epk_range all{"", "FF"};
  CHECK(all.contains(""));
  CHECK(all.contains("3F"));
  CHECK_FALSE(all.contains("FF"));
}

TEST_CASE("the V2 space splits into even ranges below 40", "[cosmos][range]") {
  auto one = split_epk_space(1, 2);
  REQUIRE(one);
  CHECK(*one == std::vector<epk_range>{{"", "FF"}});
  auto two = split_epk_space(2, 2);
  REQUIRE(two);
  // The reference's example for 2 ranges.
  CHECK(*two == std::vector<epk_range>{{"", "20000000000000000000000000000000"},
                                       {"20000000000000000000000000000000", "FF"}});
  auto four = split_epk_space(4, 2);
  REQUIRE(four);
  REQUIRE(four->size() == 4);
  CHECK((*four)[1].min == "10000000000000000000000000000000");
  CHECK((*four)[2].min == "20000000000000000000000000000000");
  CHECK((*four)[3].min == "30000000000000000000000000000000");
  auto three = split_epk_space(3, 2);
  REQUIRE(three);
  CHECK((*three)[1].min == "15555555555555555555555555555555");
  CHECK((*three)[2].min == "2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}

TEST_CASE("split ranges are complete, adjacent and share keys evenly", "[cosmos][range]") {
  for (int version : {1, 2}) {
    for (size_t n : {1u, 2u, 3u, 5u, 8u, 16u}) {
      INFO("version " << version << ", " << n << " ranges");
      auto ranges = split_epk_space(n, version);
      REQUIRE(ranges);
      REQUIRE(ranges->size() == n);
      CHECK(ranges->front().min == "");
      CHECK(ranges->back().max == "FF");
      for (size_t i = 0; i + 1 < n; ++i) {
        CHECK((*ranges)[i].max == (*ranges)[i + 1].min);
        CHECK(compare_epk((*ranges)[i].min, (*ranges)[i].max) < 0);
      }
      // Every key lands in exactly one range; 4000 keys spread roughly evenly.
      std::vector<size_t> hits(n);
      for (int k = 0; k < 4000; ++k) {
        partition_key key{"key-" + std::to_string(k)};
        auto epk = version == 2 ? epk_v2(key) : epk_v1(key);
        size_t owners = 0;
        for (size_t i = 0; i < n; ++i)
          if ((*ranges)[i].contains(epk)) {
            ++owners;
            ++hits[i];
          }
        CHECK(owners == 1);
      }
      for (auto h : hits) {
        CHECK(h > 4000 / n / 2);
        CHECK(h < 4000 / n * 2);
      }
    }
  }
}

TEST_CASE("bad split requests are refused with a reason", "[cosmos][range]") {
  auto zero = split_epk_space(0, 2);
  REQUIRE_FALSE(zero);
  CHECK(bulkd::render(zero.error()) ==
        "invalid_argument: the number of ranges must be between 1 and 65536, not 0");
  auto version = split_epk_space(2, 3);
  REQUIRE_FALSE(version);
  CHECK(bulkd::render(version.error()) == "invalid_argument: unsupported hash version 3");
}
