#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/error_message.hpp"
#include "emulator/cosmos/range_split.hpp"
#include "emulator/cosmos/store.hpp"
#include "tests/emulator/cosmos/emulator_fixture.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <unistd.h>

using namespace bulkd::emulator::testing;
using nlohmann::json;
namespace proto = bulkd::cosmos;

namespace {

const std::string docs = "/dbs/db/colls/c/docs";
const std::string pkranges = "/dbs/db/colls/c/pkranges";

fixture_options with_ranges(unsigned n) {
  fixture_options opts;
  opts.ranges = n;
  return opts;
}

std::string key_of(int i) {
  return "k" + std::to_string(i);
}

struct split_container : emulator_fixture {
  explicit split_container(unsigned ranges = 4, int version = 2)
      : emulator_fixture(with_ranges(ranges)) {
    REQUIRE(create_database("db").status == 201);
    json pk = {{"paths", {"/pk"}}, {"kind", "Hash"}};
    if (version == 2)
      pk["version"] = 2;
    REQUIRE(create_container("db", "c", pk).status == 201);
  }

  reply split_with(const json& body) { return raw("POST", "/_emulator/split", body.dump(), {}); }

  reply split(const std::string& range) {
    return split_with(json{{"db", "db"}, {"coll", "c"}, {"range", range}});
  }

  reply upsert(int i, int v = 0) {
    auto headers = pk_header(json::array({key_of(i)}).dump());
    headers.emplace("x-ms-documentdb-is-upsert", "true");
    auto r =
        send("POST", docs,
             json{{"id", "d" + std::to_string(i)}, {"pk", key_of(i)}, {"v", v}}.dump(), headers);
    REQUIRE((r.status == 201 || r.status == 200));
    return r;
  }

  reply read(int i) {
    return send("GET", docs + "/d" + std::to_string(i), "",
                pk_header(json::array({key_of(i)}).dump()));
  }

  json ranges() {
    auto r = send("GET", pkranges);
    REQUIRE(r.status == 200);
    return r.json["PartitionKeyRanges"];
  }

  // Every document id of one range, through the ReadFeed (paged).
  std::set<std::string> ids_in(const std::string& range) {
    std::set<std::string> out;
    std::string cont;
    for (;;) {
      httplib::Headers h{{"x-ms-documentdb-partitionkeyrangeid", range},
                         {"x-ms-max-item-count", "50"}};
      if (!cont.empty())
        h.emplace("x-ms-continuation", cont);
      auto r = send("GET", docs, "", h);
      REQUIRE(r.status == 200);
      for (const auto& d : r.json["Documents"])
        out.insert(d["id"].get<std::string>());
      cont = r.header("x-ms-continuation");
      if (cont.empty())
        return out;
    }
  }

  // Drains the change feed of one range from `etag` (empty: the beginning); returns id -> lsn
  // and sets `etag` to the final 304's.
  std::map<std::string, int64_t> changes(const std::string& range, std::string& etag) {
    std::map<std::string, int64_t> out;
    for (;;) {
      httplib::Headers h{{"A-IM", "Incremental Feed"},
                         {"x-ms-documentdb-partitionkeyrangeid", range},
                         {"x-ms-max-item-count", "25"}};
      if (!etag.empty())
        h.emplace("If-None-Match", etag);
      auto r = send("GET", docs, "", h);
      REQUIRE((r.status == 200 || r.status == 304));
      etag = r.header("etag");
      if (r.status == 304)
        return out;
      for (const auto& d : r.json["Documents"]) {
        CHECK(out.count(d["id"].get<std::string>()) == 0);
        out[d["id"].get<std::string>()] = d["_lsn"].get<int64_t>();
      }
    }
  }

  int count() {
    auto r = send("POST", docs, R"({"query":"SELECT VALUE COUNT(1) FROM c"})",
                  {{"x-ms-documentdb-isquery", "True"}});
    REQUIRE(r.status == 200);
    return r.json["Documents"][0].get<int>();
  }
};

void check_gone(const reply& r) {
  CHECK(r.status == 410);
  CHECK(r.header("x-ms-substatus") == "1002");
  CHECK(r.code() == "Gone");
  CHECK_FALSE(r.message().empty());
}

// The ranges cover ["", "FF") without gaps or overlaps, and no id is listed as a parent.
void check_complete(const json& ranges) {
  std::vector<std::pair<std::string, std::string>> bounds;
  std::set<std::string> ids, parents;
  for (const auto& r : ranges) {
    bounds.emplace_back(r["minInclusive"], r["maxExclusive"]);
    ids.insert(r["id"].get<std::string>());
    for (const auto& p : r["parents"])
      parents.insert(p.get<std::string>());
  }
  for (const auto& p : parents)
    CHECK(ids.count(p) == 0);
  std::sort(bounds.begin(), bounds.end(),
            [](const auto& a, const auto& b) { return proto::compare_epk(a.first, b.first) < 0; });
  REQUIRE_FALSE(bounds.empty());
  CHECK(bounds.front().first.empty());
  CHECK(bounds.back().second == "FF");
  for (size_t i = 1; i < bounds.size(); ++i)
    CHECK(bounds[i - 1].second == bounds[i].first);
}

const json* find_range(const json& ranges, const std::string& id) {
  for (const auto& r : ranges)
    if (r["id"] == id)
      return &r;
  return nullptr;
}

} // namespace

TEST_CASE("cosmos split: the midpoint of a range in the hashed key space",
          "[emulator][cosmos][split]") {
  using bulkd::emulator::cosmos::epk_midpoint;
  auto whole = epk_midpoint("", "FF", 2);
  REQUIRE(whole);
  CHECK(*whole == "20000000000000000000000000000000");
  auto four = proto::split_epk_space(4, 2);
  REQUIRE(four);
  auto eight = proto::split_epk_space(8, 2);
  REQUIRE(eight);
  // Halving range i of 4 gives the boundary 2i+1 of 8, for V2 and V1 alike.
  for (size_t i = 0; i < 4; ++i) {
    auto mid = epk_midpoint((*four)[i].min, (*four)[i].max, 2);
    REQUIRE(mid);
    CHECK(*mid == (*eight)[2 * i + 1].min);
  }
  auto four_v1 = proto::split_epk_space(4, 1);
  auto eight_v1 = proto::split_epk_space(8, 1);
  REQUIRE(four_v1);
  REQUIRE(eight_v1);
  for (size_t i = 0; i < 4; ++i) {
    auto mid = epk_midpoint((*four_v1)[i].min, (*four_v1)[i].max, 1);
    REQUIRE(mid);
    CHECK(*mid == (*eight_v1)[2 * i + 1].min);
  }
  auto narrow =
      epk_midpoint("00000000000000000000000000000001", "00000000000000000000000000000002", 2);
  REQUIRE_FALSE(narrow);
  CHECK(proto::error_message(narrow.error()) ==
        "the range [\"00000000000000000000000000000001\", \"00000000000000000000000000000002\") is "
        "too narrow to split");
  auto bad = epk_midpoint("XYZ", "FF", 2);
  REQUIRE_FALSE(bad);
  CHECK(proto::error_message(bad.error()) ==
        "the range [\"XYZ\", \"FF\") has a bound that is not hex");
  auto version = epk_midpoint("", "FF", 3);
  REQUIRE_FALSE(version);
  CHECK(proto::error_message(version.error()) == "unsupported hash version 3");
}

TEST_CASE("cosmos split: children replace the parent in the pkranges feed",
          "[emulator][cosmos][split]") {
  split_container emu;
  auto before = emu.send("GET", pkranges);
  REQUIRE(before.status == 200);
  auto etag = before.header("etag");
  auto parent = *find_range(before.json["PartitionKeyRanges"], "2");
  httplib::Headers aim{{"A-IM", "Incremental Feed"}, {"If-None-Match", etag}};
  CHECK(emu.send("GET", pkranges, "", aim).status == 304);
  for (int i = 0; i < 120; ++i)
    emu.upsert(i);
  auto in_parent = emu.ids_in("2");
  REQUIRE(in_parent.size() > 5);

  auto r = emu.split("2");
  REQUIRE(r.status == 200);
  CHECK(r.json["parent"]["id"] == "2");
  REQUIRE(r.json["children"].size() == 2);
  const auto& low = r.json["children"][0];
  const auto& high = r.json["children"][1];
  CHECK(low["id"] == "4");
  CHECK(high["id"] == "5");
  CHECK(low["parents"] == json::array({"2"}));
  CHECK(high["parents"] == json::array({"2"}));
  CHECK(low["minInclusive"] == parent["minInclusive"]);
  CHECK(low["maxExclusive"] == high["minInclusive"]);
  CHECK(high["maxExclusive"] == parent["maxExclusive"]);
  CHECK(low["documents"].get<size_t>() + high["documents"].get<size_t>() == in_parent.size());

  auto ranges = emu.ranges();
  CHECK(ranges.size() == 5);
  CHECK(find_range(ranges, "2") == nullptr);
  REQUIRE(find_range(ranges, "4") != nullptr);
  CHECK((*find_range(ranges, "4"))["parents"] == json::array({"2"}));
  CHECK((*find_range(ranges, "0"))["parents"] == json::array());
  check_complete(ranges);

  // The change-feed form of pkranges sees the new topology, then is caught up again.
  auto changed = emu.send("GET", pkranges, "", aim);
  REQUIRE(changed.status == 200);
  CHECK(changed.header("etag") != etag);
  auto listed = changed.json["PartitionKeyRanges"];
  CHECK(find_range(listed, "4") != nullptr);
  CHECK(find_range(listed, "5") != nullptr);
  check_complete(listed);
  CHECK(emu.send("GET", pkranges, "",
                 {{"A-IM", "Incremental Feed"}, {"If-None-Match", changed.header("etag")}})
            .status == 304);

  // A child splits again: its children list both ancestors.
  auto again = emu.split_with(json{{"db", "db"}, {"coll", "c"}, {"range", 4}});
  REQUIRE(again.status == 200);
  CHECK(again.json["children"][0]["id"] == "6");
  CHECK(again.json["children"][1]["parents"] == json::array({"2", "4"}));
  auto after = emu.ranges();
  CHECK(after.size() == 6);
  check_complete(after);
}

TEST_CASE("cosmos split: requests naming the old range answer 410/1002",
          "[emulator][cosmos][split]") {
  split_container emu;
  for (int i = 0; i < 40; ++i)
    emu.upsert(i);
  REQUIRE(emu.split("1").status == 200);
  httplib::Headers old{{"x-ms-documentdb-partitionkeyrangeid", "1"}};
  check_gone(emu.send("GET", docs, "", old)); // ReadFeed
  auto cf = old;
  cf.emplace("A-IM", "Incremental Feed");
  check_gone(emu.send("GET", docs, "", cf));
  cf.emplace("If-None-Match", "\"3\"");
  check_gone(emu.send("GET", docs, "", cf));
  auto bulk = old;
  bulk.emplace("x-ms-cosmos-is-batch-request", "True");
  bulk.emplace("x-ms-cosmos-batch-atomic", "False");
  bulk.emplace("x-ms-cosmos-batch-continue-on-error", "True");
  json ops = json::array({{{"operationType", "Upsert"},
                           {"partitionKey", "[\"k1\"]"},
                           {"resourceBody", {{"id", "new"}, {"pk", "k1"}}}}});
  check_gone(emu.send("POST", docs, ops.dump(), bulk));
  auto query = old;
  query.emplace("x-ms-documentdb-isquery", "True");
  check_gone(emu.send("POST", docs, R"({"query":"SELECT * FROM c"})", query));
  CHECK(emu.count() == 40); // the refused bulk wrote nothing

  // The children serve the same requests.
  for (const char* child : {"4", "5"}) {
    auto ok = emu.send("GET", docs, "", {{"x-ms-documentdb-partitionkeyrangeid", child}});
    CHECK(ok.status == 200);
  }
}

TEST_CASE("cosmos split: documents stay readable and move to the child holding their EPK",
          "[emulator][cosmos][split]") {
  auto version = GENERATE(1, 2);
  split_container emu{4, version};
  const int n = 200;
  for (int i = 0; i < n; ++i)
    emu.upsert(i);
  auto in_parent = emu.ids_in("3");
  REQUIRE(emu.split("3").status == 200);
  auto low = emu.ids_in("4");
  auto high = emu.ids_in("5");
  CHECK_FALSE(low.empty());
  CHECK_FALSE(high.empty());
  std::set<std::string> both = low;
  both.insert(high.begin(), high.end());
  CHECK(both.size() == low.size() + high.size());
  CHECK(both == in_parent);
  // Each document is in the child whose bounds hold its EPK.
  auto ranges = emu.ranges();
  proto::partition_key_definition def;
  def.paths = {"/pk"};
  def.version = version;
  for (int i = 0; i < n; ++i) {
    auto id = "d" + std::to_string(i);
    auto epk = proto::effective_partition_key({proto::pk_value{key_of(i)}}, def);
    REQUIRE(epk);
    for (const char* child : {"4", "5"}) {
      const auto& r = *find_range(ranges, child);
      bool holds = proto::epk_range{r["minInclusive"], r["maxExclusive"]}.contains(*epk);
      CHECK(holds == (std::string{child} == "4" ? low : high).count(id) > 0);
    }
  }
  // Point operations route by EPK: reads, replaces, deletes.
  for (int i = 0; i < n; ++i) {
    auto r = emu.read(i);
    REQUIRE(r.status == 200);
    CHECK(r.json["v"] == 0);
  }
  CHECK(emu.count() == n);
  emu.upsert(7, 1);
  CHECK(emu.read(7).json["v"] == 1);
  CHECK(emu.send("DELETE", docs + "/d8", "", emulator_fixture::pk_header("[\"k8\"]")).status ==
        204);
  CHECK(emu.read(8).status == 404);
  CHECK(emu.count() == n - 1);
}

TEST_CASE("cosmos split: a parent's change-feed continuation goes on in the children",
          "[emulator][cosmos][split]") {
  split_container emu;
  const int n = 160;
  for (int i = 0; i < n; ++i)
    emu.upsert(i);
  auto parent_ids = emu.ids_in("0");
  std::vector<int> keys; // the keys living in range 0
  for (int i = 0; i < n; ++i)
    if (parent_ids.count("d" + std::to_string(i)))
      keys.push_back(i);
  REQUIRE(keys.size() >= 10);
  std::string etag;
  auto first = emu.changes("0", etag);
  CHECK(first.size() == keys.size());
  auto parent_lsn = emu.ranges()[0]["_lsn"].get<int64_t>();
  CHECK(etag == "\"" + std::to_string(parent_lsn) + "\"");

  // Changes after the continuation: some before the split, some after.
  std::set<std::string> later;
  for (size_t j = 0; j < 4; ++j) {
    emu.upsert(keys[j], 1);
    later.insert("d" + std::to_string(keys[j]));
  }
  auto lsn_at_split = parent_lsn + 4;
  auto split = emu.split("0");
  REQUIRE(split.status == 200);
  for (const auto& child : split.json["children"])
    CHECK(child["_lsn"] == lsn_at_split);
  for (size_t j = 4; j < 8; ++j) {
    emu.upsert(keys[j], 2);
    later.insert("d" + std::to_string(keys[j]));
  }

  std::map<std::string, int64_t> seen;
  for (const char* child : {"4", "5"}) {
    auto from = etag; // the parent's continuation, unchanged
    auto got = emu.changes(child, from);
    for (const auto& [id, lsn] : got) {
      CHECK(seen.count(id) == 0);
      seen[id] = lsn;
      CHECK(lsn > parent_lsn);
    }
    // The next call from the final etag is caught up.
    auto again = emu.changes(child, from);
    CHECK(again.empty());
  }
  std::set<std::string> seen_ids;
  for (const auto& [id, lsn] : seen)
    seen_ids.insert(id);
  CHECK(seen_ids == later);
  // LSNs continue the parent's sequence: the writes after the split come after lsn_at_split.
  for (size_t j = 4; j < 8; ++j)
    CHECK(seen["d" + std::to_string(keys[j])] > lsn_at_split);
  // And the children's counters went on from it.
  auto ranges = emu.ranges();
  int64_t advanced = 0;
  for (const char* child : {"4", "5"})
    advanced += (*find_range(ranges, child))["_lsn"].get<int64_t>() - lsn_at_split;
  CHECK(advanced == 4);

  // From the beginning, the children list every document of the parent once.
  size_t total = 0;
  for (const char* child : {"4", "5"}) {
    std::string from;
    total += emu.changes(child, from).size();
  }
  CHECK(total == keys.size());
}

TEST_CASE("cosmos split: bulk batches address the children", "[emulator][cosmos][split]") {
  split_container emu;
  REQUIRE(emu.split("0").status == 200);
  json ops = json::array();
  for (int i = 0; i < 60; ++i)
    ops.push_back({{"operationType", "Upsert"},
                   {"partitionKey", json::array({key_of(i)}).dump()},
                   {"resourceBody", {{"id", "b" + std::to_string(i)}, {"pk", key_of(i)}}}});
  int written = 0;
  for (const char* range : {"1", "2", "3", "4", "5"}) {
    auto r = emu.send("POST", docs, ops.dump(),
                      {{"x-ms-cosmos-is-batch-request", "True"},
                       {"x-ms-cosmos-batch-atomic", "False"},
                       {"x-ms-cosmos-batch-continue-on-error", "True"},
                       {"x-ms-documentdb-partitionkeyrangeid", range}});
    REQUIRE((r.status == 200 || r.status == 207));
    for (const auto& e : r.json) {
      if (e["statusCode"] == 201)
        ++written;
      else
        CHECK((e["statusCode"] == 410 && e["subStatusCode"] == 1002));
    }
  }
  CHECK(written == 60);
  CHECK(emu.count() == 60);
}

TEST_CASE("cosmos split: bad requests are JSON errors", "[emulator][cosmos][split]") {
  split_container emu;
  REQUIRE(emu.split("2").status == 200);
  auto twice = emu.split("2");
  CHECK(twice.status == 400);
  CHECK(twice.message() ==
        "The partition key range '2' was split already; its current descendants are 4, 5");
  auto unknown = emu.split("9");
  CHECK(unknown.status == 404);
  CHECK(unknown.message() ==
        "Container 'c' has no partition key range '9' (current ranges: 0, 1, 4, 5, 3)");
  auto no_coll = emu.split_with(json{{"db", "db"}, {"coll", "nope"}, {"range", "0"}});
  CHECK(no_coll.status == 404);
  CHECK(no_coll.message() == "Container 'nope' not found in database 'db'");
  auto no_db = emu.split_with(json{{"db", "nodb"}, {"coll", "c"}, {"range", "0"}});
  CHECK(no_db.status == 404);
  CHECK(no_db.message() == "Database 'nodb' not found");
  const std::string usage = "The split request body must be a JSON object like "
                            "{\"db\":\"db1\",\"coll\":\"c1\",\"range\":\"0\"} (range: the id of "
                            "a current partition key range)";
  for (const std::string body :
       {"", "not json", "[]", R"({"db":"db","coll":"c"})", R"({"db":"db","coll":"c","range":true})",
        R"({"db":"","coll":"c","range":"0"})"}) {
    auto r = emu.raw("POST", "/_emulator/split", body, {});
    CHECK(r.status == 400);
    CHECK(r.code() == "BadRequest");
    CHECK(r.message() == usage);
  }
  // The server keeps serving, the topology is as after the one split.
  CHECK(emu.ranges().size() == 5);
}

TEST_CASE("cosmos split: a split survives a restart of the store", "[emulator][cosmos][split]") {
  namespace cosmos = bulkd::emulator::cosmos;
  auto path = std::filesystem::temp_directory_path() /
              ("bulkd-split-" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(path);
  int64_t key = 0;
  {
    auto data = cosmos::store::open(path.string());
    REQUIRE(data);
    auto db = (*data)->create_database("db");
    REQUIRE(db);
    auto ranges = proto::split_epk_space(2, 2);
    REQUIRE(ranges);
    auto coll = (*data)->create_container(
        (*db)->number, "c", "{\"id\":\"c\"}", R"({"paths":["/pk"],"kind":"Hash","version":2})",
        {{(*ranges)[0].min, (*ranges)[0].max}, {(*ranges)[1].min, (*ranges)[1].max}});
    REQUIRE(coll);
    key = (*coll)->key;
    auto out = (*data)->split_range(key, "1", "30000000000000000000000000000000");
    REQUIRE(out);
    CHECK(out->status == 200);
    auto outside = (*data)->split_range(key, "0", "30000000000000000000000000000000");
    REQUIRE(outside);
    CHECK(outside->status == 400);
  }
  auto data = cosmos::store::open(path.string());
  REQUIRE(data);
  auto coll = (*data)->container_by_key(key);
  REQUIRE(coll);
  REQUIRE(*coll);
  REQUIRE((*coll)->ranges.size() == 3);
  CHECK((*coll)->ranges[1].id == "2");
  CHECK((*coll)->ranges[1].max == "30000000000000000000000000000000");
  CHECK((*coll)->ranges[2].parents == std::vector<std::string>{"1"});
  CHECK((*coll)->topology == 2);
  auto again = (*data)->split_range(key, "1", "30000000000000000000000000000000");
  REQUIRE(again);
  CHECK(again->status == 410);
  CHECK(again->children.size() == 2);
  data->reset();
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path.string() + suffix);
}

TEST_CASE("cosmos split: writes racing a split land in the child holding their key",
          "[emulator][cosmos][split]") {
  split_container emu{1};
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      httplib::Client client{"127.0.0.1", emu.srv->port()};
      for (int i = 0; !stop || i < 50; ++i) {
        auto pk = "w" + std::to_string(t) + "-" + std::to_string(i);
        auto r = emu.send_via(client, "POST", docs, json{{"id", pk}, {"pk", pk}}.dump(),
                              emulator_fixture::pk_header(json::array({pk}).dump()));
        if (r.status != 201)
          FAIL_CHECK("write answered " << r.status << ": " << r.body);
        ++written;
      }
    });
  while (written < 100)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto first = emu.split("0");
  REQUIRE(first.status == 200);
  auto second = emu.split("1");
  REQUIRE(second.status == 200);
  stop = true;
  for (auto& t : writers)
    t.join();
  auto ranges = emu.ranges();
  REQUIRE(ranges.size() == 3);
  check_complete(ranges);
  proto::partition_key_definition def;
  def.paths = {"/pk"};
  def.version = 2;
  size_t total = 0;
  for (const auto& r : ranges) {
    auto ids = emu.ids_in(r["id"]);
    total += ids.size();
    for (const auto& id : ids) {
      auto epk = proto::effective_partition_key({proto::pk_value{id}}, def);
      REQUIRE(epk);
      CHECK(proto::epk_range{r["minInclusive"], r["maxExclusive"]}.contains(*epk));
    }
  }
  CHECK(total == static_cast<size_t>(written.load()));
  CHECK(emu.count() == written.load());
}

TEST_CASE("cosmos split: a write routed to the parent before the split goes to the child",
          "[emulator][cosmos][split]") {
  namespace cosmos = bulkd::emulator::cosmos;
  auto data = cosmos::store::open(":memory:");
  REQUIRE(data);
  auto db = (*data)->create_database("db");
  REQUIRE(db);
  auto coll =
      (*data)->create_container((*db)->number, "c", "{\"id\":\"c\"}",
                                R"({"paths":["/pk"],"kind":"Hash","version":2})", {{"", "FF"}});
  REQUIRE(coll);
  auto key = (*coll)->key;
  cosmos::document_write w;
  w.container = key;
  w.mode = cosmos::write_mode::upsert;
  w.id = "a";
  w.pk = "[\"a\"]";
  w.range_id = "0";
  w.epk = "30000000000000000000000000000001";
  w.body = R"({"id":"a","pk":"a"})";
  auto before = (*data)->write_document(w);
  REQUIRE(before);
  CHECK(before->doc.lsn == 1);
  auto split = (*data)->split_range(key, "0", "20000000000000000000000000000000");
  REQUIRE(split);
  REQUIRE(split->status == 200);
  CHECK(split->moved == std::vector<size_t>{0, 1});
  // The caller still holds the old routing: range 0.
  w.id = "b";
  auto after = (*data)->write_document(w);
  REQUIRE(after);
  CHECK(after->status == 201);
  CHECK(after->doc.range_id == "2");
  CHECK(after->doc.lsn == 2); // the child's counter went on from the parent's
  w.epk = "10000000000000000000000000000000";
  w.id = "c";
  auto low = (*data)->write_document(w);
  REQUIRE(low);
  CHECK(low->doc.range_id == "1");
  CHECK(low->doc.lsn == 2);
  cosmos::document_scan scan;
  scan.container = key;
  scan.range_id = "0";
  auto gone = (*data)->scan_documents(scan);
  REQUIRE(gone);
  CHECK(gone->range_gone);
  scan.range_id = "2";
  auto high = (*data)->scan_documents(scan);
  REQUIRE(high);
  CHECK_FALSE(high->range_gone);
  CHECK(high->docs.size() == 2);
  CHECK(high->range_lsn == 2);
}
