#include "clients/cosmos/http_date.hpp"
#include "tests/emulator/cosmos/emulator_fixture.hpp"

#include <map>
#include <set>
#include <thread>

using namespace bulkd::emulator::testing;
using nlohmann::json;

namespace {

fixture_options with_ranges(unsigned n) {
  fixture_options opts;
  opts.ranges = n;
  return opts;
}

const std::string docs = "/dbs/db/colls/c/docs";
const httplib::Headers incremental{{"A-IM", "Incremental Feed"}};

struct change {
  std::string id;
  int64_t lsn = 0;
  json doc;
};

struct drained {
  std::vector<change> changes;
  std::string etag; // of the final 304
  int pages = 0;
};

struct cf_container : emulator_fixture {
  explicit cf_container(unsigned ranges) : emulator_fixture(with_ranges(ranges)) {
    REQUIRE(create_database("db").status == 201);
    REQUIRE(create_container("db", "c", {{"paths", {"/pk"}}, {"kind", "Hash"}, {"version", 2}})
                .status == 201);
  }

  reply upsert(const std::string& id, const std::string& pk, int v = 0) {
    auto headers = pk_header(json::array({pk}).dump());
    headers.emplace("x-ms-documentdb-is-upsert", "true");
    auto r = send("POST", docs, json{{"id", id}, {"pk", pk}, {"v", v}}.dump(), headers);
    REQUIRE((r.status == 201 || r.status == 200));
    return r;
  }

  std::vector<std::string> range_ids() {
    auto r = send("GET", "/dbs/db/colls/c/pkranges");
    REQUIRE(r.status == 200);
    std::vector<std::string> out;
    for (const auto& range : r.json["PartitionKeyRanges"])
      out.push_back(range["id"].get<std::string>());
    return out;
  }

  // Reads the feed of `scope` from `start` (an If-None-Match value, empty: as given in `scope`)
  // until it answers 304.
  drained drain(httplib::Headers scope, std::string start = {}, int page = 10) {
    drained out;
    std::string etag = start;
    for (;;) {
      auto headers = scope;
      headers.emplace("A-IM", "Incremental Feed");
      headers.emplace("x-ms-max-item-count", std::to_string(page));
      if (!etag.empty())
        headers.emplace("If-None-Match", etag);
      auto r = send("GET", docs, "", headers);
      REQUIRE((r.status == 200 || r.status == 304));
      CHECK_FALSE(r.header("etag").empty());
      CHECK_FALSE(r.header("x-ms-session-token").empty());
      if (r.status == 304) {
        CHECK(r.body.empty());
        out.etag = r.header("etag");
        return out;
      }
      ++out.pages;
      REQUIRE(r.json["Documents"].size() <= static_cast<size_t>(page));
      CHECK(r.json["_count"] == r.json["Documents"].size());
      int64_t last = 0;
      for (const auto& d : r.json["Documents"]) {
        REQUIRE(d["_lsn"].is_number_integer());
        CHECK(d["_lsn"].get<int64_t>() > last); // ordered by LSN
        last = d["_lsn"].get<int64_t>();
        out.changes.push_back({d["id"].get<std::string>(), last, d});
      }
      CHECK(r.header("etag") == "\"" + std::to_string(last) + "\"");
      etag = r.header("etag");
      REQUIRE(out.pages < 1000);
    }
  }

  static httplib::Headers range(const std::string& id) {
    return {{"x-ms-documentdb-partitionkeyrangeid", id}};
  }
};

std::multiset<std::string> ids_of(const std::vector<change>& changes) {
  std::multiset<std::string> out;
  for (const auto& c : changes)
    out.insert(c.id);
  return out;
}

} // namespace

TEST_CASE("cosmos emulator: change feed from the beginning over several ranges",
          "[emulator][cosmos][changefeed]") {
  cf_container emu{4};
  for (int i = 0; i < 60; ++i)
    emu.upsert("d" + std::to_string(i), "p" + std::to_string(i % 17), i);
  std::map<std::string, std::string> etags;
  std::multiset<std::string> all;
  int non_empty = 0;
  for (const auto& id : emu.range_ids()) {
    auto got = emu.drain(cf_container::range(id));
    non_empty += got.changes.empty() ? 0 : 1;
    for (const auto& c : got.changes) {
      all.insert(c.id);
      CHECK(c.doc["_etag"].is_string());
      CHECK(c.doc["_rid"].is_string());
    }
    etags[id] = got.etag;
  }
  CHECK(all.size() == 60);
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == 60);
  CHECK(non_empty > 1);

  SECTION("a read with the etag returns only the new writes, then 304") {
    emu.upsert("n1", "p1", 1);
    emu.upsert("n2", "p2", 2);
    emu.upsert("n3", "p3", 3);
    std::multiset<std::string> fresh;
    for (const auto& [id, etag] : etags) {
      auto got = emu.drain(cf_container::range(id), etag);
      auto ids = ids_of(got.changes);
      fresh.insert(ids.begin(), ids.end());
    }
    CHECK(fresh == std::multiset<std::string>{"n1", "n2", "n3"});
  }
  SECTION("304 when caught up keeps the etag, with session token and charge") {
    for (const auto& [id, etag] : etags) {
      auto r = emu.send("GET", docs, "",
                        {{"A-IM", "Incremental Feed"},
                         {"x-ms-documentdb-partitionkeyrangeid", id},
                         {"If-None-Match", etag}});
      CHECK(r.status == 304);
      CHECK(r.header("etag") == etag);
      CHECK(r.header("x-ms-session-token") ==
            id + ":-1#" + etag.substr(1, etag.size() - 2)); // the etag is the range's LSN
      CHECK_FALSE(r.header("x-ms-request-charge").empty());
    }
  }
  SECTION("an update reappears once, at its new LSN") {
    auto before = emu.drain(emu.pk_header(R"(["p5"])"));
    REQUIRE(ids_of(before.changes).count("d5") == 1);
    int64_t old_lsn = 0;
    for (const auto& c : before.changes)
      if (c.id == "d5")
        old_lsn = c.lsn;
    emu.upsert("d5", "p5", 500);
    emu.upsert("d5", "p5", 501);
    auto again = emu.drain(emu.pk_header(R"(["p5"])"));
    CHECK(again.changes.size() == before.changes.size()); // still once per document
    for (const auto& c : again.changes)
      if (c.id == "d5") {
        CHECK(c.lsn > old_lsn);
        CHECK(c.doc["v"] == 501);
        CHECK(&c == &again.changes.back()); // the latest write comes last
      }
    auto after = emu.drain(emu.pk_header(R"(["p5"])"), before.etag);
    REQUIRE(after.changes.size() == 1);
    CHECK(after.changes[0].id == "d5");
    CHECK(after.changes[0].doc["v"] == 501);
  }
}

TEST_CASE("cosmos emulator: change feed start positions", "[emulator][cosmos][changefeed]") {
  cf_container emu{1};
  for (int i = 0; i < 5; ++i)
    emu.upsert("old" + std::to_string(i), "p");

  SECTION("If-None-Match * starts from now") {
    auto now = emu.send("GET", docs, "",
                        {{"A-IM", "Incremental Feed"},
                         {"If-None-Match", "*"},
                         {"x-ms-documentdb-partitionkeyrangeid", "0"}});
    CHECK(now.status == 304);
    CHECK(now.header("etag") == "\"5\"");
    CHECK(now.header("x-ms-session-token") == "0:-1#5");
    emu.upsert("new", "q");
    auto got = emu.drain(cf_container::range("0"), now.header("etag"));
    REQUIRE(got.changes.size() == 1);
    CHECK(got.changes[0].id == "new");
    CHECK(got.etag == "\"6\"");
  }
  SECTION("If-Modified-Since starts at a time") {
    // _ts has second resolution: wait for the next second before the new writes.
    auto first_ts = emu.drain({}).changes.back().doc["_ts"].get<int64_t>();
    int64_t now_s = 0;
    do {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      now_s = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    } while (now_s <= first_ts);
    auto since = bulkd::cosmos::format_http_date(std::chrono::system_clock::now());
    emu.upsert("late1", "p");
    emu.upsert("late2", "q");
    auto r =
        emu.send("GET", docs, "", {{"A-IM", "Incremental Feed"}, {"If-Modified-Since", since}});
    REQUIRE(r.status == 200);
    std::vector<std::string> ids;
    for (const auto& d : r.json["Documents"])
      ids.push_back(d["id"].get<std::string>());
    CHECK(ids == std::vector<std::string>{"late1", "late2"});
    CHECK(r.header("etag") == "\"7\"");
    auto old = emu.send(
        "GET", docs, "",
        {{"A-IM", "Incremental Feed"}, {"If-Modified-Since", "Thu, 01 Jan 2015 00:00:00 GMT"}});
    CHECK(old.json["_count"] == 7);
  }
  SECTION("without a scope, a single-range container is its only range") {
    auto got = emu.drain({}, {}, 2);
    CHECK(got.changes.size() == 5);
    CHECK(got.pages == 3);
    CHECK(got.etag == "\"5\"");
  }
}

TEST_CASE("cosmos emulator: change feed by partition key and by EPK sub-range",
          "[emulator][cosmos][changefeed]") {
  cf_container emu{2};
  for (int i = 0; i < 40; ++i)
    emu.upsert("d" + std::to_string(i), "p" + std::to_string(i % 8));

  auto p3 = emu.drain(emu.pk_header(R"(["p3"])"), {}, 2);
  CHECK(ids_of(p3.changes) == std::multiset<std::string>{"d3", "d11", "d19", "d27", "d35"});
  for (const auto& c : p3.changes)
    CHECK(c.doc["pk"] == "p3");
  emu.upsert("x", "p4");
  CHECK(emu.drain(emu.pk_header(R"(["p3"])"), p3.etag).changes.empty());
  emu.upsert("y", "p3");
  auto more = emu.drain(emu.pk_header(R"(["p3"])"), p3.etag);
  REQUIRE(more.changes.size() == 1);
  CHECK(more.changes[0].id == "y");

  // Range 0 split in two halves by EPK: together they hold exactly range 0's changes.
  auto ranges = emu.send("GET", "/dbs/db/colls/c/pkranges");
  auto r0 = ranges.json["PartitionKeyRanges"][0];
  REQUIRE(r0["id"] == "0");
  REQUIRE(r0["minInclusive"] == "");
  auto whole = emu.drain(cf_container::range("0"));
  const std::string mid = "10";
  auto epk = [&](const std::string& lo, const std::string& hi) {
    return httplib::Headers{{"x-ms-documentdb-partitionkeyrangeid", "0"},
                            {"x-ms-start-epk", lo},
                            {"x-ms-end-epk", hi},
                            {"x-ms-read-key-type", "EffectivePartitionKeyRange"}};
  };
  auto low = emu.drain(epk("", mid));
  auto high = emu.drain(epk(mid, r0["maxExclusive"].get<std::string>()));
  auto both = ids_of(low.changes);
  auto h = ids_of(high.changes);
  both.insert(h.begin(), h.end());
  CHECK(both == ids_of(whole.changes));
  CHECK_FALSE(whole.changes.empty());
  // Without the range id, the range holding the start is taken.
  auto no_id = emu.drain({{"x-ms-start-epk", ""},
                          {"x-ms-end-epk", mid},
                          {"x-ms-read-key-type", "EffectivePartitionKeyRange"}});
  CHECK(ids_of(no_id.changes) == ids_of(low.changes));
}

TEST_CASE("cosmos emulator: change feed rejects bad requests", "[emulator][cosmos][changefeed]") {
  cf_container emu{2};
  emu.upsert("a", "p");
  auto send = [&](httplib::Headers extra) {
    extra.emplace("A-IM", "Incremental Feed");
    return emu.send("GET", docs, "", extra);
  };
  auto unscoped = send({});
  CHECK(unscoped.status == 400);
  CHECK(unscoped.message() ==
        "A change feed request on a container with 2 partition key ranges needs "
        "x-ms-documentdb-partitionkeyrangeid, x-ms-documentdb-partitionkey or an EPK range");
  auto full =
      emu.send("GET", docs, "",
               {{"A-IM", "Full-Fidelity Feed"}, {"x-ms-documentdb-partitionkeyrangeid", "0"}});
  CHECK(full.status == 400);
  CHECK(full.message() == "The change feed mode (A-IM) 'Full-Fidelity Feed' is not supported by "
                          "this emulator; only 'Incremental Feed' (latest version) is");
  auto bad_etag =
      send({{"x-ms-documentdb-partitionkeyrangeid", "0"}, {"If-None-Match", "\"abc\""}});
  CHECK(bad_etag.status == 400);
  CHECK(bad_etag.message() ==
        "The change feed continuation (If-None-Match) '\"abc\"' is not an etag this emulator "
        "issued (a quoted LSN such as \"42\")");
  auto bad_date =
      send({{"x-ms-documentdb-partitionkeyrangeid", "0"}, {"If-Modified-Since", "yesterday"}});
  CHECK(bad_date.status == 400);
  CHECK_THAT(bad_date.message(), Catch::Contains("not 'yesterday'"));
  auto gone = send({{"x-ms-documentdb-partitionkeyrangeid", "7"}});
  CHECK(gone.status == 410);
  CHECK(gone.header("x-ms-substatus") == "1002");
  auto bad_epk = send({{"x-ms-documentdb-partitionkeyrangeid", "0"},
                       {"x-ms-start-epk", "zz"},
                       {"x-ms-end-epk", "10"}});
  CHECK(bad_epk.status == 400);
  CHECK(bad_epk.message() == "x-ms-start-epk and x-ms-end-epk must be hex effective partition "
                             "keys, not 'ZZ'");
  auto spanning = send({{"x-ms-start-epk", ""}, {"x-ms-end-epk", "FF"}});
  CHECK(spanning.status == 400);
  CHECK_THAT(spanning.message(), Catch::Contains("spans more than one partition key range"));
  auto bad_count =
      send({{"x-ms-documentdb-partitionkeyrangeid", "0"}, {"x-ms-max-item-count", "-5"}});
  CHECK(bad_count.status == 400);
  CHECK_THAT(bad_count.message(), Catch::Contains("not '-5'"));
}

TEST_CASE("cosmos emulator: pkranges change-feed form answers 304 for the current version",
          "[emulator][cosmos][changefeed]") {
  cf_container emu{3};
  const std::string path = "/dbs/db/colls/c/pkranges";
  auto first =
      emu.send("GET", path, "", {{"A-IM", "Incremental Feed"}, {"x-ms-max-item-count", "-1"}});
  REQUIRE(first.status == 200);
  CHECK(first.json["PartitionKeyRanges"].size() == 3);
  auto etag = first.header("etag");
  REQUIRE_FALSE(etag.empty());
  auto second = emu.send(
      "GET", path, "",
      {{"A-IM", "Incremental Feed"}, {"If-None-Match", etag}, {"x-ms-max-item-count", "-1"}});
  CHECK(second.status == 304);
  CHECK(second.header("etag") == etag);
  auto older =
      emu.send("GET", path, "", {{"A-IM", "Incremental Feed"}, {"If-None-Match", "\"0\""}});
  CHECK(older.status == 200);
  CHECK(older.json["_count"] == 3);
}
