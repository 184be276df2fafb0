#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/rid.hpp"
#include "tests/emulator/cosmos/emulator_fixture.hpp"

#include <set>

using namespace bulkd::emulator::testing;
using nlohmann::json;

TEST_CASE("cosmos emulator: database create, read, list, delete", "[emulator][cosmos]") {
  emulator_fixture emu;
  auto created = emu.send("POST", "/dbs", R"({"id":"db1"})", {{"x-ms-offer-throughput", "400"}});
  REQUIRE(created.status == 201);
  CHECK(created.json["id"] == "db1");
  auto rid = created.json["_rid"].get<std::string>();
  auto parsed = bulkd::cosmos::parse_rid(rid);
  REQUIRE(parsed);
  CHECK(parsed->kind == bulkd::cosmos::rid_kind::database);
  CHECK(created.json["_self"] == "dbs/" + rid + "/");
  CHECK(created.json["_etag"].get<std::string>().front() == '"');
  CHECK(created.json["_ts"].is_number_integer());

  auto again = emu.create_database("db1");
  CHECK(again.status == 409);
  CHECK(again.code() == "Conflict");
  CHECK_THAT(again.message(), Catch::Contains("already exists"));

  auto read = emu.send("GET", "/dbs/db1");
  REQUIRE(read.status == 200);
  CHECK(read.json["_rid"] == rid);
  auto by_rid = emu.send("GET", "/dbs/" + rid);
  REQUIRE(by_rid.status == 200);
  CHECK(by_rid.json["id"] == "db1");

  REQUIRE(emu.create_database("db2").status == 201);
  auto list = emu.send("GET", "/dbs");
  REQUIRE(list.status == 200);
  CHECK(list.json["_count"] == 2);
  CHECK(list.json["Databases"][1]["id"] == "db2");
  CHECK(list.header("x-ms-item-count") == "2");

  auto deleted = emu.send("DELETE", "/dbs/db1");
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  auto gone = emu.send("GET", "/dbs/db1");
  CHECK(gone.status == 404);
  CHECK(gone.code() == "NotFound");
  CHECK_THAT(gone.message(), Catch::Contains("'db1'"));
  CHECK(emu.send("DELETE", "/dbs/db1").status == 404);

  auto bad = emu.send("POST", "/dbs", R"({"name":"x"})");
  CHECK(bad.status == 400);
  CHECK_THAT(bad.message(), Catch::Contains("'id'"));
  auto bad_id = emu.send("POST", "/dbs", R"({"id":"a/b"})");
  CHECK(bad_id.status == 400);
  CHECK_THAT(bad_id.message(), Catch::Contains("invalid character"));
}

TEST_CASE("cosmos emulator: container create, read, list, delete", "[emulator][cosmos]") {
  emulator_fixture emu;
  REQUIRE(emu.create_database("db").status == 201);

  SECTION("hash v1 is the default when the version is absent") {
    auto c = emu.create_container("db", "c1");
    REQUIRE(c.status == 201);
    CHECK(c.json["partitionKey"] == json{{"paths", {"/pk"}}, {"kind", "Hash"}, {"version", 1}});
    auto rid = bulkd::cosmos::parse_rid(c.json["_rid"].get<std::string>());
    REQUIRE(rid);
    CHECK(rid->kind == bulkd::cosmos::rid_kind::collection);
    CHECK(c.header("x-ms-content-path") == c.json["_rid"]);
    CHECK(c.json["_docs"] == "docs/");
    CHECK(c.json.contains("indexingPolicy"));
    auto read = emu.send("GET", "/dbs/db/colls/c1");
    REQUIRE(read.status == 200);
    CHECK(read.json["_rid"] == c.json["_rid"]);
    CHECK(read.json["partitionKey"]["version"] == 1);
  }
  SECTION("v2 and MultiHash definitions are kept") {
    auto v2 =
        emu.create_container("db", "c2", {{"paths", {"/pk"}}, {"kind", "Hash"}, {"version", 2}});
    REQUIRE(v2.status == 201);
    CHECK(v2.json["partitionKey"]["version"] == 2);
    auto multi = emu.create_container(
        "db", "c3", {{"paths", {"/tenant", "/user"}}, {"kind", "MultiHash"}, {"version", 2}});
    REQUIRE(multi.status == 201);
    CHECK(multi.json["partitionKey"]["kind"] == "MultiHash");
    auto list = emu.send("GET", "/dbs/db/colls");
    REQUIRE(list.status == 200);
    CHECK(list.json["_count"] == 2);
    CHECK(list.json["DocumentCollections"][1]["id"] == "c3");
  }
  SECTION("errors") {
    REQUIRE(emu.create_container("db", "c1").status == 201);
    auto dup = emu.create_container("db", "c1");
    CHECK(dup.status == 409);
    CHECK_THAT(dup.message(), Catch::Contains("'c1'"));
    auto no_pk = emu.send("POST", "/dbs/db/colls", R"({"id":"c9"})");
    CHECK(no_pk.status == 400);
    CHECK_THAT(no_pk.message(), Catch::Contains("partition key definition"));
    auto bad_pk = emu.create_container("db", "c9", {{"paths", json::array()}});
    CHECK(bad_pk.status == 400);
    CHECK_THAT(bad_pk.message(), Catch::Contains("partition key definition is invalid"));
    auto no_db = emu.create_container("nodb", "c1");
    CHECK(no_db.status == 404);
    CHECK_THAT(no_db.message(), Catch::Contains("'nodb'"));
    auto missing = emu.send("GET", "/dbs/db/colls/none");
    CHECK(missing.status == 404);
    CHECK(missing.code() == "NotFound");
  }
  SECTION("delete removes the container and its documents") {
    REQUIRE(emu.create_container("db", "c1").status == 201);
    REQUIRE(emu.send("POST", "/dbs/db/colls/c1/docs", R"({"id":"d","pk":"p"})").status == 201);
    CHECK(emu.send("DELETE", "/dbs/db/colls/c1").status == 204);
    CHECK(emu.send("GET", "/dbs/db/colls/c1").status == 404);
    REQUIRE(emu.create_container("db", "c1").status == 201);
    CHECK(emu.send("GET", "/dbs/db/colls/c1/docs/d", "", emu.pk_header(R"(["p"])")).status == 404);
    CHECK(emu.send("DELETE", "/dbs/db").status == 204);
    CHECK(emu.send("GET", "/dbs/db/colls/c1").status == 404);
  }
}

TEST_CASE("cosmos emulator: --ranges 4 gives 4 pkranges covering the EPK space",
          "[emulator][cosmos]") {
  fixture_options opts;
  opts.ranges = 4;
  emulator_fixture emu{opts};
  REQUIRE(emu.create_database("db").status == 201);
  auto version = GENERATE(1, 2);
  auto name = "c" + std::to_string(version);
  REQUIRE(emu.create_container("db", name, {{"paths", {"/pk"}}, {"version", version}}).status ==
          201);
  auto r = emu.send("GET", "/dbs/db/colls/" + name + "/pkranges");
  REQUIRE(r.status == 200);
  auto ranges = r.json["PartitionKeyRanges"];
  REQUIRE(ranges.size() == 4);
  CHECK(r.json["_count"] == 4);
  CHECK(r.header("x-ms-item-count") == "4");
  CHECK(ranges[0]["minInclusive"] == "");
  CHECK(ranges[3]["maxExclusive"] == "FF");
  for (size_t i = 0; i < ranges.size(); ++i) {
    CHECK(ranges[i]["id"] == std::to_string(i));
    CHECK(ranges[i]["status"] == "online");
    CHECK(ranges[i]["parents"].empty());
    auto rid = bulkd::cosmos::parse_rid(ranges[i]["_rid"].get<std::string>());
    REQUIRE(rid);
    CHECK(rid->child_type() == bulkd::cosmos::rid_child_type::partition_key_range);
    if (i > 0) {
      CHECK(ranges[i]["minInclusive"] == ranges[i - 1]["maxExclusive"]);
      CHECK(bulkd::cosmos::compare_epk(ranges[i - 1]["minInclusive"].get<std::string>(),
                                       ranges[i]["minInclusive"].get<std::string>()) < 0);
    }
  }
  // Documents land in different ranges (the session token names the range).
  std::set<std::string> used;
  for (int i = 0; i < 64; ++i) {
    auto doc = json{{"id", "d" + std::to_string(i)}, {"pk", "key-" + std::to_string(i)}};
    auto w = emu.send("POST", "/dbs/db/colls/" + name + "/docs", doc.dump());
    REQUIRE(w.status == 201);
    auto token = w.header("x-ms-session-token");
    used.insert(token.substr(0, token.find(':')));
  }
  CHECK(used.size() == 4);

  SECTION("the A-IM form answers 304 for the current version") {
    auto etag = r.header("etag");
    REQUIRE_FALSE(etag.empty());
    auto same = emu.send("GET", "/dbs/db/colls/" + name + "/pkranges", "",
                         {{"A-IM", "Incremental Feed"}, {"If-None-Match", etag}});
    CHECK(same.status == 304);
    CHECK(same.body.empty());
    auto first =
        emu.send("GET", "/dbs/db/colls/" + name + "/pkranges", "", {{"A-IM", "Incremental Feed"}});
    CHECK(first.status == 200);
    CHECK(first.json["PartitionKeyRanges"].size() == 4);
  }
}

TEST_CASE("cosmos emulator: pkranges by RID, as .NET reads them", "[emulator][cosmos]") {
  emulator_fixture emu;
  auto db = emu.create_database("db");
  REQUIRE(db.status == 201);
  auto c = emu.create_container("db", "c");
  REQUIRE(c.status == 201);
  auto path = "/dbs/" + db.json["_rid"].get<std::string>() + "/colls/" +
              c.json["_rid"].get<std::string>() + "/pkranges";
  auto r = emu.send("GET", path);
  REQUIRE(r.status == 200);
  CHECK(r.json["_rid"] == c.json["_rid"]);
  CHECK(r.json["PartitionKeyRanges"].size() == 1);
}
