#include "clients/cosmos/rid.hpp"
#include "tests/emulator/cosmos/emulator_fixture.hpp"

using namespace bulkd::emulator::testing;
using nlohmann::json;

namespace {

const std::string docs = "/dbs/db/colls/c/docs";

struct with_container : emulator_fixture {
  with_container() {
    REQUIRE(create_database("db").status == 201);
    REQUIRE(create_container("db", "c", {{"paths", {"/pk"}}, {"kind", "Hash"}, {"version", 2}})
                .status == 201);
  }
};

} // namespace

TEST_CASE("cosmos emulator: document create, read, upsert, replace, delete", "[emulator][cosmos]") {
  with_container emu;
  auto pk = emulator_fixture::pk_header(R"(["p1"])");

  auto created = emu.send("POST", docs, R"({"id":"d1","pk":"p1","n":1})", pk);
  REQUIRE(created.status == 201);
  CHECK(created.json["n"] == 1);
  auto etag1 = created.header("etag");
  CHECK(created.json["_etag"] == etag1);
  CHECK(etag1.front() == '"');
  auto rid = bulkd::cosmos::parse_rid(created.json["_rid"].get<std::string>());
  REQUIRE(rid);
  CHECK(rid->kind == bulkd::cosmos::rid_kind::child);
  CHECK(rid->child_type() == bulkd::cosmos::rid_child_type::document);
  CHECK(created.json["_self"].get<std::string>().ends_with(
      "/docs/" + created.json["_rid"].get<std::string>() + "/"));
  CHECK(created.json["_attachments"] == "attachments/");
  CHECK(created.json["_ts"].is_number_integer());
  CHECK(created.header("x-ms-session-token") == "0:-1#1");
  CHECK(created.header("x-ms-request-charge") == "5");
  auto coll = emu.send("GET", "/dbs/db/colls/c");
  CHECK(created.header("x-ms-content-path") == coll.json["_rid"]);
  CHECK(created.header("x-ms-alt-content-path") == "dbs/db/colls/c");
  CHECK_FALSE(created.header("x-ms-activity-id").empty());

  auto dup = emu.send("POST", docs, R"({"id":"d1","pk":"p1"})", pk);
  CHECK(dup.status == 409);
  CHECK(dup.code() == "Conflict");
  CHECK_THAT(dup.message(), Catch::Contains("already exists"));

  auto read = emu.send("GET", docs + "/d1", "", pk);
  REQUIRE(read.status == 200);
  CHECK(read.json == created.json);
  CHECK(read.header("etag") == etag1);
  CHECK(read.header("x-ms-request-charge") == "1");
  CHECK(read.header("x-ms-session-token") == "0:-1#1");
  auto not_modified =
      emu.send("GET", docs + "/d1", "",
               {{"x-ms-documentdb-partitionkey", R"(["p1"])"}, {"If-None-Match", etag1}});
  CHECK(not_modified.status == 304);
  auto other_partition =
      emu.send("GET", docs + "/d1", "", emulator_fixture::pk_header(R"(["p2"])"));
  CHECK(other_partition.status == 404);
  CHECK(other_partition.code() == "NotFound");
  CHECK_THAT(other_partition.message(), Catch::Contains("does not exist"));

  auto upsert_existing = emu.send(
      "POST", docs, R"({"id":"d1","pk":"p1","n":2})",
      {{"x-ms-documentdb-partitionkey", R"(["p1"])"}, {"x-ms-documentdb-is-upsert", "True"}});
  REQUIRE(upsert_existing.status == 200);
  CHECK(upsert_existing.json["n"] == 2);
  CHECK(upsert_existing.json["_rid"] == created.json["_rid"]);
  auto etag2 = upsert_existing.header("etag");
  CHECK(etag2 != etag1);
  CHECK(upsert_existing.header("x-ms-session-token") == "0:-1#2");

  auto upsert_new = emu.send(
      "POST", docs, R"({"id":"d2","pk":"p1"})",
      {{"x-ms-documentdb-partitionkey", R"(["p1"])"}, {"x-ms-documentdb-is-upsert", "true"}});
  CHECK(upsert_new.status == 201);

  auto stale = emu.send("PUT", docs + "/d1", R"({"id":"d1","pk":"p1","n":3})",
                        {{"x-ms-documentdb-partitionkey", R"(["p1"])"}, {"If-Match", etag1}});
  CHECK(stale.status == 412);
  CHECK(stale.code() == "PreconditionFailed");
  CHECK_THAT(stale.message(), Catch::Contains("precondition"));
  auto replaced = emu.send("PUT", docs + "/d1", R"({"id":"d1","pk":"p1","n":3})",
                           {{"x-ms-documentdb-partitionkey", R"(["p1"])"}, {"If-Match", etag2}});
  REQUIRE(replaced.status == 200);
  CHECK(replaced.json["n"] == 3);
  auto etag3 = replaced.header("etag");
  auto replace_missing = emu.send("PUT", docs + "/nope", R"({"id":"nope","pk":"p1"})", pk);
  CHECK(replace_missing.status == 404);
  CHECK(replace_missing.code() == "NotFound");
  auto id_mismatch = emu.send("PUT", docs + "/d1", R"({"id":"other","pk":"p1"})", pk);
  CHECK(id_mismatch.status == 400);
  CHECK_THAT(id_mismatch.message(), Catch::Contains("does not match the id in the URL"));

  auto bad_delete = emu.send("DELETE", docs + "/d1", "",
                             {{"x-ms-documentdb-partitionkey", R"(["p1"])"}, {"If-Match", etag2}});
  CHECK(bad_delete.status == 412);
  auto deleted = emu.send("DELETE", docs + "/d1", "",
                          {{"x-ms-documentdb-partitionkey", R"(["p1"])"}, {"If-Match", etag3}});
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  CHECK(deleted.header("x-ms-session-token") == "0:-1#5");
  CHECK(emu.send("GET", docs + "/d1", "", pk).status == 404);
  auto delete_missing = emu.send("DELETE", docs + "/d1", "", pk);
  CHECK(delete_missing.status == 404);
  CHECK(delete_missing.code() == "NotFound");
  // Created again after the delete: a new etag, and create works again.
  auto recreated = emu.send("POST", docs, R"({"id":"d1","pk":"p1"})", pk);
  CHECK(recreated.status == 201);
  CHECK(recreated.header("etag") != etag3);
}

TEST_CASE("cosmos emulator: a session the range has not reached is 404/1002",
          "[emulator][cosmos]") {
  with_container emu;
  auto w = emu.send("POST", docs, R"({"id":"d","pk":"p"})");
  REQUIRE(w.status == 201);
  CHECK(w.header("x-ms-session-token") == "0:-1#1");
  auto pk = R"(["p"])";
  auto current = emu.send("GET", docs + "/d", "",
                          {{"x-ms-documentdb-partitionkey", pk}, {"x-ms-session-token", "0:-1#1"}});
  CHECK(current.status == 200);
  auto other_range =
      emu.send("GET", docs + "/d", "",
               {{"x-ms-documentdb-partitionkey", pk}, {"x-ms-session-token", "1:-1#9"}});
  CHECK(other_range.status == 200);
  auto ahead =
      emu.send("GET", docs + "/d", "",
               {{"x-ms-documentdb-partitionkey", pk}, {"x-ms-session-token", "1:-1#1,0:-1#5#1=5"}});
  CHECK(ahead.status == 404);
  CHECK(ahead.header("x-ms-substatus") == "1002");
  CHECK_THAT(ahead.message(), Catch::Contains("read session is not available") &&
                                  Catch::Contains("LSN 1") && Catch::Contains("asks for 5"));
}

TEST_CASE("cosmos emulator: system properties in a body are replaced, not stored",
          "[emulator][cosmos]") {
  with_container emu;
  auto r = emu.send("POST", docs, R"({"id":"d","pk":"p","_rid":"bogus","_etag":"x","_ts":1})");
  REQUIRE(r.status == 201);
  CHECK(r.json["_rid"] != "bogus");
  CHECK(r.json["_etag"] == r.header("etag"));
  CHECK(r.json["_ts"] != 1);
  auto empty_keys = emu.send("POST", docs, R"({"id":"e"})");
  REQUIRE(empty_keys.status == 201); // no /pk property: the undefined key
  auto read = emu.send("GET", docs + "/e", "", emulator_fixture::pk_header("[{}]"));
  CHECK(read.status == 200);
}

TEST_CASE("cosmos emulator: partition key header and body must agree", "[emulator][cosmos]") {
  with_container emu;
  auto mismatch =
      emu.send("POST", docs, R"({"id":"d","pk":"a"})", emulator_fixture::pk_header(R"(["b"])"));
  CHECK(mismatch.status == 400);
  CHECK(mismatch.code() == "BadRequest");
  CHECK(mismatch.header("x-ms-substatus") == "1001");
  CHECK_THAT(mismatch.message(),
             Catch::Contains("PartitionKey extracted from document doesn't match") &&
                 Catch::Contains(R"(["b"])") && Catch::Contains(R"(["a"])"));
  auto numbers = emu.send("POST", docs, R"({"id":"n","pk":5})", emulator_fixture::pk_header("[5]"));
  CHECK(numbers.status == 201);
  auto two =
      emu.send("POST", docs, R"({"id":"t","pk":"a"})", emulator_fixture::pk_header(R"(["a","b"])"));
  CHECK(two.status == 400);
  CHECK(two.header("x-ms-substatus") == "1001");
  auto two_read = emu.send("GET", docs + "/n", "", emulator_fixture::pk_header(R"(["a","b"])"));
  CHECK(two_read.status == 400);
  CHECK_THAT(two_read.message(), Catch::Contains("1 partition key path(s), the key has 2"));
  auto garbage =
      emu.send("POST", docs, R"({"id":"g","pk":"a"})", emulator_fixture::pk_header("not json"));
  CHECK(garbage.status == 400);
  CHECK_THAT(garbage.message(), Catch::Contains("x-ms-documentdb-partitionkey is invalid"));
  auto no_key_read = emu.send("GET", docs + "/n");
  CHECK(no_key_read.status == 400);
  CHECK_THAT(no_key_read.message(), Catch::Contains("PartitionKey value must be supplied"));
}

TEST_CASE("cosmos emulator: bad bodies get 400 and oversized ones 413", "[emulator][cosmos]") {
  with_container emu;
  auto pk = emulator_fixture::pk_header(R"(["p"])");
  auto bad_json = emu.send("POST", docs, R"({"id":"d","pk":"p",)", pk);
  CHECK(bad_json.status == 400);
  CHECK(bad_json.code() == "BadRequest");
  CHECK_THAT(bad_json.message(), Catch::Contains("invalid JSON"));
  auto array = emu.send("POST", docs, R"([1,2])", pk);
  CHECK(array.status == 400);
  CHECK_THAT(array.message(), Catch::Contains("must be a JSON object"));
  auto no_id = emu.send("POST", docs, R"({"pk":"p"})", pk);
  CHECK(no_id.status == 400);
  CHECK_THAT(no_id.message(), Catch::Contains("'id'"));
  auto numeric_id = emu.send("POST", docs, R"({"id":7,"pk":"p"})", pk);
  CHECK(numeric_id.status == 400);
  auto slash = emu.send("POST", docs, R"({"id":"a/b","pk":"p"})", pk);
  CHECK(slash.status == 400);
  CHECK_THAT(slash.message(), Catch::Contains("invalid character"));

  json big{{"id", "big"}, {"pk", "p"}, {"blob", std::string(2u << 20, 'x')}};
  auto oversized = emu.send("POST", docs, big.dump(), pk);
  CHECK(oversized.status == 413);
  CHECK(oversized.code() == "RequestEntityTooLarge");
  CHECK_THAT(oversized.message(), Catch::Contains("2 MB"));
  CHECK(emu.send("GET", docs + "/big", "", pk).status == 404);

  json large{{"id", "large"}, {"pk", "p"}, {"blob", std::string(10000, 'x')}};
  auto ok = emu.send("POST", docs, large.dump(), pk);
  CHECK(ok.status == 201);
  CHECK(ok.header("x-ms-request-charge") == "50"); // 5 RU per started KB
}

TEST_CASE("cosmos emulator: not implemented operations say so", "[emulator][cosmos]") {
  with_container emu;
  auto sprocs = emu.send("POST", "/dbs/db/colls/c/sprocs", R"({"id":"s","body":"x"})");
  CHECK(sprocs.status == 501);
  CHECK_THAT(sprocs.message(), Catch::Contains("'sprocs' resources are not implemented"));
}

TEST_CASE("cosmos emulator: hierarchical keys and conditional upserts", "[emulator][cosmos]") {
  emulator_fixture emu;
  REQUIRE(emu.create_database("db").status == 201);
  REQUIRE(
      emu.create_container("db", "h",
                           {{"paths", {"/tenant", "/user"}}, {"kind", "MultiHash"}, {"version", 2}})
          .status == 201);
  const std::string hdocs = "/dbs/db/colls/h/docs";
  auto key = emulator_fixture::pk_header(R"(["t1","u1"])");
  auto w = emu.send("POST", hdocs, R"({"id":"d","tenant":"t1","user":"u1"})", key);
  REQUIRE(w.status == 201);
  CHECK(emu.send("GET", hdocs + "/d", "", key).status == 200);
  auto prefix = emu.send("GET", hdocs + "/d", "", emulator_fixture::pk_header(R"(["t1"])"));
  CHECK(prefix.status == 400);
  CHECK_THAT(prefix.message(), Catch::Contains("2 partition key path(s), the key has 1"));

  auto stale = emu.send("POST", hdocs, R"({"id":"d","tenant":"t1","user":"u1","v":2})",
                        {{"x-ms-documentdb-partitionkey", R"(["t1","u1"])"},
                         {"x-ms-documentdb-is-upsert", "true"},
                         {"If-Match", "\"not-the-etag\""}});
  CHECK(stale.status == 412);
  auto fresh = emu.send("POST", hdocs, R"({"id":"d","tenant":"t1","user":"u1","v":2})",
                        {{"x-ms-documentdb-partitionkey", R"(["t1","u1"])"},
                         {"x-ms-documentdb-is-upsert", "true"},
                         {"If-Match", w.header("etag")}});
  CHECK(fresh.status == 200);
  // An upsert that creates ignores If-Match.
  auto created = emu.send("POST", hdocs, R"({"id":"e","tenant":"t1","user":"u1"})",
                          {{"x-ms-documentdb-partitionkey", R"(["t1","u1"])"},
                           {"x-ms-documentdb-is-upsert", "true"},
                           {"If-Match", "\"whatever\""}});
  CHECK(created.status == 201);
}

TEST_CASE("cosmos emulator: methods a resource does not support get 405", "[emulator][cosmos]") {
  emulator_fixture emu;
  auto r = emu.send("PATCH", "/dbs");
  CHECK(r.status == 405);
  CHECK(r.code() == "MethodNotAllowed");
  CHECK_THAT(r.message(), Catch::Contains("/dbs"));
  auto post_account = emu.send("POST", "/");
  CHECK(post_account.status == 405);
  CHECK_THAT(post_account.message(), Catch::Contains("database account"));
}
