#include "tests/emulator/cosmos/emulator_fixture.hpp"

using namespace bulkd::emulator::testing;
using nlohmann::json;

namespace {

const std::string docs = "/dbs/db/colls/c/docs";

fixture_options options(unsigned ranges) {
  fixture_options o;
  o.ranges = ranges;
  return o;
}

struct with_container : emulator_fixture {
  explicit with_container(unsigned ranges = 1) : emulator_fixture(options(ranges)) {
    REQUIRE(create_database("db").status == 201);
    REQUIRE(create_container("db", "c", {{"paths", {"/pk"}}, {"kind", "Hash"}, {"version", 2}})
                .status == 201);
  }

  reply batch(const json& ops, httplib::Headers headers) {
    headers.emplace("x-ms-cosmos-is-batch-request", "True");
    return send("POST", docs, ops.dump(), std::move(headers));
  }

  reply transactional(const json& ops, const std::string& pk) {
    return batch(ops, {{"x-ms-cosmos-batch-atomic", "True"},
                       {"x-ms-documentdb-partitionkey", "[\"" + pk + "\"]"}});
  }

  int count() {
    auto r = send("POST", docs, R"({"query":"SELECT VALUE COUNT(1) FROM c"})",
                  {{"x-ms-documentdb-isquery", "True"}});
    REQUIRE(r.status == 200);
    return r.json["Documents"][0].get<int>();
  }
};

json op(const std::string& type, const std::string& id, const std::string& pk,
        json body = nullptr) {
  json o = {{"operationType", type}, {"partitionKey", "[\"" + pk + "\"]"}};
  if (!id.empty() || body.is_null())
    o["id"] = id;
  if (!body.is_null())
    o["resourceBody"] = body;
  return o;
}

} // namespace

TEST_CASE("cosmos emulator: transactional batch of every operation type",
          "[emulator][cosmos][batch]") {
  with_container emu;
  REQUIRE(emu.send("POST", docs, R"({"id":"old","pk":"p","n":1})",
                   emulator_fixture::pk_header(R"(["p"])"))
              .status == 201);
  REQUIRE(
      emu.send("POST", docs, R"({"id":"gone","pk":"p"})", emulator_fixture::pk_header(R"(["p"])"))
          .status == 201);
  json ops = json::array({
      op("Create", "", "p", {{"id", "a"}, {"pk", "p"}}),
      op("Upsert", "", "p", {{"id", "b"}, {"pk", "p"}}),
      op("Replace", "", "p", {{"id", "old"}, {"pk", "p"}, {"n", 2}}),
      op("Read", "old", "p"),
      op("Delete", "gone", "p"),
      op("Patch", "a", "p", {{"operations", {{{"op", "incr"}, {"path", "/n"}, {"value", 5}}}}}),
  });
  auto r = emu.transactional(ops, "p");
  INFO(r.body);
  REQUIRE(r.status == 200);
  REQUIRE(r.json.size() == 6);
  CHECK(r.json[0]["statusCode"] == 201);
  CHECK(r.json[1]["statusCode"] == 201);
  CHECK(r.json[2]["statusCode"] == 200);
  CHECK(r.json[3]["statusCode"] == 200);
  CHECK(r.json[3]["resourceBody"]["n"] == 2);
  CHECK(r.json[4]["statusCode"] == 204);
  CHECK_FALSE(r.json[4].contains("resourceBody"));
  CHECK(r.json[5]["statusCode"] == 200);
  CHECK(r.json[5]["resourceBody"]["n"] == 5);
  CHECK(r.json[0]["eTag"].is_string());
  CHECK(r.json[0]["requestCharge"].is_number());
  CHECK(r.json[0]["resourceBody"]["_etag"] == r.json[0]["eTag"]);
  CHECK_FALSE(r.header("x-ms-session-token").empty());
  CHECK(emu.count() == 3); // old, a, b
}

TEST_CASE("cosmos emulator: a failing transactional batch writes nothing",
          "[emulator][cosmos][batch]") {
  with_container emu;
  REQUIRE(emu.send("POST", docs, R"({"id":"x","pk":"p"})", emulator_fixture::pk_header(R"(["p"])"))
              .status == 201);
  json ops = json::array({
      op("Create", "", "p", {{"id", "a"}, {"pk", "p"}}),
      op("Upsert", "", "p", {{"id", "x"}, {"pk", "p"}, {"changed", true}}),
      op("Create", "", "p", {{"id", "x"}, {"pk", "p"}}), // conflict
      op("Create", "", "p", {{"id", "c"}, {"pk", "p"}}),
  });
  auto r = emu.transactional(ops, "p");
  REQUIRE(r.status == 207);
  REQUIRE(r.json.size() == 4);
  CHECK(r.json[0]["statusCode"] == 424);
  CHECK(r.json[1]["statusCode"] == 424);
  CHECK(r.json[2]["statusCode"] == 409);
  CHECK(r.json[3]["statusCode"] == 424);
  CHECK(emu.count() == 1);
  auto x = emu.send("GET", docs + "/x", "", emulator_fixture::pk_header(R"(["p"])"));
  CHECK_FALSE(x.json.contains("changed"));

  auto mixed = emu.transactional(json::array({op("Create", "", "p", {{"id", "m1"}, {"pk", "p"}}),
                                              op("Create", "", "q", {{"id", "m2"}, {"pk", "q"}})}),
                                 "p");
  CHECK(mixed.status == 400);
  CHECK(mixed.message() == "All operations of a transactional batch must have the same "
                           "partition key: operation 0 has [\"p\"], operation 1 has [\"q\"]");
  CHECK(emu.count() == 1);
}

TEST_CASE("cosmos emulator: bulk continues on error with per-operation statuses",
          "[emulator][cosmos][batch]") {
  with_container emu;
  REQUIRE(
      emu.send("POST", docs, R"({"id":"dup","pk":"k"})", emulator_fixture::pk_header(R"(["k"])"))
          .status == 201);
  json ops = json::array({
      op("Upsert", "", "k", {{"id", "u1"}, {"pk", "k"}}),
      op("Create", "", "k", {{"id", "dup"}, {"pk", "k"}}),
      op("Create", "", "k", {{"id", "c1"}, {"pk", "k"}}),
      op("Read", "missing", "k"),
      op("Bogus", "z", "k"),
  });
  auto r = emu.batch(ops, {{"x-ms-cosmos-batch-atomic", "False"},
                           {"x-ms-cosmos-batch-continue-on-error", "True"},
                           {"x-ms-documentdb-partitionkeyrangeid", "0"}});
  REQUIRE(r.status == 207);
  REQUIRE(r.json.size() == 5);
  CHECK(r.json[0]["statusCode"] == 201);
  CHECK(r.json[1]["statusCode"] == 409);
  CHECK(r.json[2]["statusCode"] == 201);
  CHECK(r.json[3]["statusCode"] == 404);
  CHECK(r.json[4]["statusCode"] == 400);
  CHECK(emu.count() == 3);

  auto ok = emu.batch(json::array({op("Upsert", "", "k", {{"id", "u1"}, {"pk", "k"}})}),
                      {{"x-ms-cosmos-batch-atomic", "False"}});
  CHECK(ok.status == 200);
  CHECK(ok.json[0]["statusCode"] == 200);
}

TEST_CASE("cosmos emulator: bulk ops outside the addressed range get 410/1002",
          "[emulator][cosmos][batch]") {
  with_container emu{4};
  json ops = json::array();
  for (int i = 0; i < 40; ++i) {
    auto pk = "k" + std::to_string(i);
    ops.push_back(op("Upsert", "", pk, {{"id", "i" + std::to_string(i)}, {"pk", pk}}));
  }
  auto r = emu.batch(
      ops, {{"x-ms-cosmos-batch-atomic", "False"}, {"x-ms-documentdb-partitionkeyrangeid", "1"}});
  REQUIRE(r.status == 207);
  int written = 0, elsewhere = 0;
  for (auto& e : r.json) {
    if (e["statusCode"] == 201)
      ++written;
    else if (e["statusCode"] == 410 && e["subStatusCode"] == 1002)
      ++elsewhere;
  }
  CHECK(written + elsewhere == 40);
  CHECK(written > 0);
  CHECK(elsewhere > 0);
  CHECK(emu.count() == written);
  auto gone = emu.batch(
      ops, {{"x-ms-cosmos-batch-atomic", "False"}, {"x-ms-documentdb-partitionkeyrangeid", "7"}});
  CHECK(gone.status == 410);
}

TEST_CASE("cosmos emulator: batch limits and malformed bodies", "[emulator][cosmos][batch]") {
  with_container emu;
  json ops = json::array();
  for (int i = 0; i < 101; ++i)
    ops.push_back(op("Upsert", "", "p", {{"id", "i" + std::to_string(i)}, {"pk", "p"}}));
  auto big = emu.transactional(ops, "p");
  CHECK(big.status == 400);
  CHECK(big.message() == "A batch may have at most 100 operations, this one has 101");
  ops.erase(ops.end() - 1);
  CHECK(emu.transactional(ops, "p").status == 200);
  auto empty = emu.transactional(json::array(), "p");
  CHECK(empty.status == 400);
  CHECK(empty.message() == "The batch has no operations");
  auto object = emu.transactional(json::object({{"a", 1}}), "p");
  CHECK(object.status == 400);
  CHECK(object.message() == "The batch body must be a JSON array of operations");
  auto unknown = emu.transactional(json::array({op("Merge", "a", "p")}), "p");
  CHECK(unknown.status == 400);
  CHECK(unknown.message() == "Operation 0: unknown operationType 'Merge' (supported: Create, "
                             "Upsert, Replace, Delete, Read, Patch)");
  auto no_id = emu.transactional(json::array({op("Read", "", "p")}), "p");
  CHECK(no_id.status == 400);
  CHECK(no_id.message() == "Operation 0: The id must not be empty");
}
