#include "jobs/bulk_upsert/settled_watermark.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

using bulkd::input_position;
using bulkd::resume_point;
using bulkd::settled_watermark;

namespace {

// One-line records of 10 bytes each: record n (0-based) is line n + 1.
input_position rec(uint64_t n, uint32_t file = 0) {
  return {file, n + 1, n * 10, n * 10 + 10};
}

} // namespace

TEST_CASE("watermark: nothing handed out or settled resumes where it started", "[watermark]") {
  settled_watermark fresh;
  CHECK(fresh.settled() == resume_point{0, 0});
  CHECK(fresh.outstanding() == 0);
  settled_watermark resumed{{500, 51}};
  CHECK(resumed.settled() == resume_point{500, 51});
  REQUIRE(resumed.hand_out({0, 51, 500, 510}));
  CHECK(resumed.settled() == resume_point{500, 51});
  CHECK(resumed.outstanding() == 1);
}

TEST_CASE("watermark: settles in order advance record by record", "[watermark]") {
  settled_watermark w;
  for (uint64_t n = 0; n < 3; ++n)
    REQUIRE(w.hand_out(rec(n)));
  CHECK(w.outstanding() == 3);
  REQUIRE(w.settle(rec(0)));
  CHECK(w.settled() == resume_point{10, 2}); // where record 1 begins, its line
  REQUIRE(w.settle(rec(1)));
  CHECK(w.settled() == resume_point{20, 3});
  REQUIRE(w.settle(rec(2)));
  // Nothing outstanding: the end of the last record; line 0 lets the reader count it.
  CHECK(w.settled() == resume_point{30, 0});
  CHECK(w.outstanding() == 0);
  CHECK(w.idle());
}

TEST_CASE("watermark: a late settle holds the prefix back until it comes", "[watermark]") {
  settled_watermark w;
  for (uint64_t n = 0; n < 5; ++n)
    REQUIRE(w.hand_out(rec(n)));
  REQUIRE(w.settle(rec(4)));
  REQUIRE(w.settle(rec(2)));
  REQUIRE(w.settle(rec(1)));
  CHECK(w.settled() == resume_point{0, 0}); // record 0 is still in flight
  CHECK(w.outstanding() == 2);
  REQUIRE(w.settle(rec(0)));
  CHECK(w.settled() == resume_point{30, 4}); // 0, 1, 2 settled; 3 is not
  REQUIRE(w.settle(rec(3)));
  CHECK(w.settled() == resume_point{50, 0});
}

TEST_CASE("watermark: multi-line records and gaps resume at the next record's start and line",
          "[watermark]") {
  settled_watermark w;
  // A CSV record on lines 2-4, then a blank line, then a record on line 6.
  input_position a{0, 2, 6, 40};
  input_position b{0, 6, 41, 60};
  REQUIRE(w.hand_out(a));
  REQUIRE(w.hand_out(b));
  REQUIRE(w.settle(a));
  CHECK(w.settled() == resume_point{41, 6});
  REQUIRE(w.settle(b));
  CHECK(w.settled() == resume_point{60, 0});
}

TEST_CASE("watermark: misuse is refused and changes nothing", "[watermark]") {
  settled_watermark w{{100, 11}};
  SECTION("settling a record that was never handed out") {
    REQUIRE(w.hand_out(rec(10)));
    CHECK_FALSE(w.settle(rec(11)));
    CHECK_FALSE(w.settle({0, 11, 100, 109})); // same start, other end
    CHECK_FALSE(w.settle({0, 12, 100, 110})); // same start, other line
    CHECK(w.outstanding() == 1);
    CHECK(w.settled() == resume_point{100, 11});
  }
  SECTION("settling twice") {
    REQUIRE(w.hand_out(rec(10)));
    REQUIRE(w.hand_out(rec(11)));
    REQUIRE(w.settle(rec(11)));
    CHECK_FALSE(w.settle(rec(11)));
    CHECK(w.outstanding() == 1);
    REQUIRE(w.settle(rec(10)));
    CHECK_FALSE(w.settle(rec(10))); // already dropped from the pending window
    CHECK(w.outstanding() == 0);
    CHECK(w.settled() == resume_point{120, 0});
  }
  SECTION("handing out out of order, overlapping, twice, before the resume point, other file") {
    REQUIRE(w.hand_out(rec(11)));
    CHECK_FALSE(w.hand_out(rec(10)));           // before the previous one
    CHECK_FALSE(w.hand_out(rec(11)));           // the same again
    CHECK_FALSE(w.hand_out({0, 13, 115, 130})); // overlaps the previous one
    CHECK_FALSE(w.hand_out(rec(12, 1)));        // another file
    CHECK_FALSE(w.hand_out({0, 20, 200, 190})); // ends before it begins
    settled_watermark fresh{{100, 11}};
    CHECK_FALSE(fresh.hand_out(rec(9))); // before the resume point
    CHECK(fresh.outstanding() == 0);
    CHECK(w.outstanding() == 1);
    REQUIRE(w.hand_out(rec(12)));
    REQUIRE(w.settle(rec(11)));
    CHECK(w.settled() == resume_point{120, 13});
  }
}

TEST_CASE("watermark: randomized against a brute-force model", "[watermark]") {
  std::mt19937_64 rng{GENERATE(1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u)};
  auto pick = [&](uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>{lo, hi}(rng);
  };
  resume_point from{pick(0, 1) == 0 ? 0 : pick(1, 1000), 0};
  from.line = from.offset == 0 ? 0 : pick(1, 50);
  settled_watermark w{from};
  // The model: every record handed out, with its flag.
  std::vector<input_position> records;
  std::vector<bool> done;
  std::vector<size_t> unsettled; // indexes, for picking a random one to settle
  uint64_t offset = from.offset, line = from.line == 0 ? 1 : from.line;
  auto expected = [&]() -> resume_point {
    size_t k = 0;
    while (k < records.size() && done[k])
      ++k;
    if (k == 0)
      return from;
    if (k < records.size())
      return {records[k].begin, records[k].line};
    return {records[k - 1].end, 0};
  };
  for (int step = 0; step < 4000; ++step) {
    auto roll = pick(0, 99);
    if (roll < 50 || unsettled.empty()) {
      // Sometimes blank lines between records, sometimes a multi-line record.
      if (pick(0, 9) == 0) {
        auto blanks = pick(1, 3);
        offset += blanks;
        line += blanks;
      }
      auto lines = pick(0, 9) == 0 ? pick(2, 4) : 1;
      input_position at{0, line, offset, offset + pick(2, 300)};
      REQUIRE(w.hand_out(at));
      records.push_back(at);
      done.push_back(false);
      unsettled.push_back(records.size() - 1);
      offset = at.end;
      line += lines;
    } else if (roll < 95) {
      auto i = pick(0, unsettled.size() - 1);
      auto n = unsettled[i];
      unsettled[i] = unsettled.back();
      unsettled.pop_back();
      REQUIRE(w.settle(records[n]));
      done[n] = true;
    } else if (!records.empty()) {
      // Misuse: settle a record already settled, or hand out an old one again.
      auto n = pick(0, records.size() - 1);
      if (done[n])
        CHECK_FALSE(w.settle(records[n]));
      CHECK_FALSE(w.hand_out(records[n]));
    }
    REQUIRE(w.outstanding() == unsettled.size());
    REQUIRE(w.settled() == expected());
  }
  for (auto n : unsettled) {
    REQUIRE(w.settle(records[n]));
    done[n] = true;
  }
  CHECK(w.outstanding() == 0);
  CHECK(w.settled() == resume_point{records.back().end, 0});
}

TEST_CASE("watermark: 100,000 outstanding records settled in reverse", "[watermark]") {
  settled_watermark w;
  constexpr uint64_t n = 100'000;
  for (uint64_t i = 0; i < n; ++i)
    REQUIRE(w.hand_out(rec(i)));
  CHECK(w.outstanding() == n);
  for (uint64_t i = n; i-- > 1;)
    REQUIRE(w.settle(rec(i)));
  CHECK(w.settled() == resume_point{0, 0});
  CHECK(w.outstanding() == 1);
  REQUIRE(w.settle(rec(0)));
  CHECK(w.settled() == resume_point{n * 10, 0});
  CHECK(w.outstanding() == 0);
}
