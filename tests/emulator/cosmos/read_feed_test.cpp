#include "tests/emulator/cosmos/emulator_fixture.hpp"

#include <algorithm>
#include <map>
#include <set>

using namespace bulkd::emulator::testing;
using nlohmann::json;

namespace {

fixture_options with_ranges(unsigned n) {
  fixture_options opts;
  opts.ranges = n;
  return opts;
}

const std::string docs = "/dbs/db/colls/c/docs";

struct feed_container : emulator_fixture {
  explicit feed_container(unsigned ranges) : emulator_fixture(with_ranges(ranges)) {
    REQUIRE(create_database("db").status == 201);
    REQUIRE(create_container("db", "c", {{"paths", {"/pk"}}, {"kind", "Hash"}, {"version", 2}})
                .status == 201);
  }

  // Writes n documents d0..d{n-1} over `keys` partition keys.
  void fill(int n, int keys) {
    for (int i = 0; i < n; ++i) {
      auto pk = "p" + std::to_string(i % keys);
      auto r = send("POST", docs, json{{"id", "d" + std::to_string(i)}, {"pk", pk}}.dump(),
                    pk_header(json::array({pk}).dump()));
      REQUIRE(r.status == 201);
    }
  }

  // Follows x-ms-continuation to the end; the ids in order, and the number of pages.
  std::vector<std::string> read_all(httplib::Headers base, int page, int& pages) {
    std::vector<std::string> out;
    std::string cont;
    pages = 0;
    for (;;) {
      auto headers = base;
      headers.emplace("x-ms-max-item-count", std::to_string(page));
      if (!cont.empty())
        headers.emplace("x-ms-continuation", cont);
      auto r = send("GET", docs, "", headers);
      REQUIRE(r.status == 200);
      ++pages;
      REQUIRE(r.json["Documents"].is_array());
      CHECK(r.json["_count"] == r.json["Documents"].size());
      CHECK(r.header("x-ms-item-count") == std::to_string(r.json["Documents"].size()));
      CHECK(r.json["Documents"].size() <= static_cast<size_t>(page));
      for (const auto& d : r.json["Documents"])
        out.push_back(d["id"].get<std::string>());
      cont = r.header("x-ms-continuation");
      if (cont.empty())
        break;
      REQUIRE(pages < 1000);
    }
    return out;
  }
};

} // namespace

TEST_CASE("cosmos emulator: ReadFeed pages every document exactly once", "[emulator][cosmos]") {
  feed_container emu{4};
  emu.fill(57, 13);
  int pages = 0;
  auto ids = emu.read_all({}, 10, pages);
  CHECK(pages == 6);
  REQUIRE(ids.size() == 57);
  std::set<std::string> unique(ids.begin(), ids.end());
  CHECK(unique.size() == 57);
  // Stable order: by insertion (RID).
  for (int i = 0; i < 57; ++i)
    CHECK(ids[static_cast<size_t>(i)] == "d" + std::to_string(i));

  auto first = emu.send("GET", docs, "", {{"x-ms-max-item-count", "2"}});
  REQUIRE(first.status == 200);
  CHECK(first.json["_rid"] == emu.send("GET", "/dbs/db/colls/c").json["_rid"]);
  auto doc = first.json["Documents"][0];
  CHECK(doc["pk"] == "p0");
  CHECK(doc["_etag"].is_string());
  CHECK(doc["_rid"].is_string());
  CHECK(doc["_ts"].is_number_integer());
  CHECK_FALSE(first.header("x-ms-continuation").empty());
  CHECK_FALSE(first.header("x-ms-session-token").empty());

  SECTION("without a page size, 100 per page") {
    auto all = emu.send("GET", docs);
    REQUIRE(all.status == 200);
    CHECK(all.json["_count"] == 57);
    CHECK(all.header("x-ms-continuation").empty());
  }
  SECTION("a deleted document is gone, an updated one keeps its place") {
    REQUIRE(emu.send("DELETE", docs + "/d3", "", emulator_fixture::pk_header(R"(["p3"])")).status ==
            204);
    REQUIRE(emu.send("PUT", docs + "/d1", R"({"id":"d1","pk":"p1","v":2})",
                     emulator_fixture::pk_header(R"(["p1"])"))
                .status == 200);
    auto again = emu.read_all({}, 7, pages);
    REQUIRE(again.size() == 56);
    CHECK(again[1] == "d1");
    CHECK(std::find(again.begin(), again.end(), "d3") == again.end());
  }
}

TEST_CASE("cosmos emulator: ReadFeed per range and per logical partition", "[emulator][cosmos]") {
  feed_container emu{4};
  emu.fill(80, 20);
  auto ranges = emu.send("GET", "/dbs/db/colls/c/pkranges");
  REQUIRE(ranges.status == 200);
  REQUIRE(ranges.json["PartitionKeyRanges"].size() == 4);
  std::multiset<std::string> seen;
  int non_empty = 0;
  for (const auto& r : ranges.json["PartitionKeyRanges"]) {
    int pages = 0;
    auto id = r["id"].get<std::string>();
    auto ids = emu.read_all({{"x-ms-documentdb-partitionkeyrangeid", id}}, 6, pages);
    non_empty += ids.empty() ? 0 : 1;
    seen.insert(ids.begin(), ids.end());
    auto one = emu.send("GET", docs, "", {{"x-ms-documentdb-partitionkeyrangeid", id}});
    CHECK(one.header("x-ms-session-token").starts_with(id + ":-1#"));
  }
  CHECK(seen.size() == 80);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 80);
  CHECK(non_empty > 1); // 20 keys spread over more than one range

  int pages = 0;
  auto p7 = emu.read_all(emulator_fixture::pk_header(R"(["p7"])"), 3, pages);
  CHECK(p7 == std::vector<std::string>{"d7", "d27", "d47", "d67"});
  CHECK(pages == 2);
}

TEST_CASE("cosmos emulator: ReadFeed rejects bad paging headers", "[emulator][cosmos]") {
  feed_container emu{2};
  emu.fill(3, 3);
  auto bad_count = emu.send("GET", docs, "", {{"x-ms-max-item-count", "ten"}});
  CHECK(bad_count.status == 400);
  CHECK(bad_count.message() ==
        "The header x-ms-max-item-count must be a positive integer or -1, not 'ten'");
  auto zero = emu.send("GET", docs, "", {{"x-ms-max-item-count", "0"}});
  CHECK(zero.status == 400);
  CHECK_THAT(zero.message(), Catch::Contains("not '0'"));
  auto all = emu.send("GET", docs, "", {{"x-ms-max-item-count", "-1"}});
  CHECK(all.status == 200);
  CHECK(all.json["_count"] == 3);
  auto bad_cont = emu.send("GET", docs, "", {{"x-ms-continuation", "{\"token\":1}"}});
  CHECK(bad_cont.status == 400);
  CHECK(bad_cont.message() ==
        "The continuation token '{\"token\":1}' is not one this emulator issued for the "
        "document feed");
  auto gone = emu.send("GET", docs, "", {{"x-ms-documentdb-partitionkeyrangeid", "9"}});
  CHECK(gone.status == 410);
  CHECK(gone.header("x-ms-substatus") == "1002");
  CHECK_THAT(gone.message(), Catch::Contains("'9' does not exist"));
  auto bad_key = emu.send("GET", docs, "", emulator_fixture::pk_header("p1"));
  CHECK(bad_key.status == 400);
  CHECK_THAT(bad_key.message(), Catch::Contains("x-ms-documentdb-partitionkey is invalid"));
}
