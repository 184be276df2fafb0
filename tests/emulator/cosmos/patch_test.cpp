#include "clients/cosmos/error_message.hpp"
#include "emulator/cosmos/patch.hpp"
#include "tests/emulator/cosmos/emulator_fixture.hpp"

using namespace bulkd::emulator::testing;
using nlohmann::json;

namespace {

const std::string docs = "/dbs/db/colls/c/docs";

struct with_container : emulator_fixture {
  with_container() {
    REQUIRE(create_database("db").status == 201);
    REQUIRE(create_container("db", "c").status == 201);
  }
};

std::string apply_error(const json& doc, const json& ops) {
  auto req = bulkd::emulator::cosmos::parse_patch_request(ops);
  if (!req)
    return bulkd::cosmos::error_message(req.error());
  auto out = bulkd::emulator::cosmos::apply_patch(doc, req->operations);
  return out ? std::string{} : bulkd::cosmos::error_message(out.error());
}

} // namespace

TEST_CASE("cosmos patch: operations on a JSON document", "[emulator][cosmos][patch]") {
  using bulkd::emulator::cosmos::apply_patch;
  using bulkd::emulator::cosmos::parse_patch_request;
  json doc = {{"id", "d"}, {"n", 1}, {"f", 1.5}, {"a", {1, 2, 3}}, {"o", {{"x", "y"}}}};
  auto req = parse_patch_request(json::parse(R"([
    {"op":"add","path":"/new","value":true},
    {"op":"set","path":"/o/x","value":"z"},
    {"op":"replace","path":"/n","value":7},
    {"op":"remove","path":"/f"},
    {"op":"incr","path":"/n","value":3},
    {"op":"incr","path":"/m","value":2.5},
    {"op":"add","path":"/a/1","value":9},
    {"op":"add","path":"/a/-","value":4},
    {"op":"set","path":"/a/0","value":0},
    {"op":"move","from":"/o/x","path":"/moved"}])"));
  REQUIRE(req);
  auto out = apply_patch(doc, req->operations);
  REQUIRE(out);
  CHECK((*out)["new"] == true);
  CHECK((*out)["n"] == 10);
  CHECK((*out)["n"].is_number_integer());
  CHECK((*out)["m"] == 2.5);
  CHECK_FALSE(out->contains("f"));
  CHECK((*out)["a"] == json({0, 9, 2, 3, 4}));
  CHECK((*out)["moved"] == "z");
  CHECK((*out)["o"] == json::object());
  // The object form with a condition.
  auto obj = parse_patch_request(
      json::parse(R"({"operations":[{"op":"remove","path":"/a~1b~0"}],"condition":"FROM c"})"));
  REQUIRE(obj);
  CHECK(obj->condition == "FROM c");
  auto escaped = apply_patch(json{{"a/b~", 1}}, obj->operations);
  REQUIRE(escaped);
  CHECK(escaped->empty());
}

TEST_CASE("cosmos patch: bad operations are rejected with a message", "[emulator][cosmos][patch]") {
  json doc = {{"id", "d"}, {"n", "text"}, {"a", {1}}};
  CHECK(apply_error(doc, json::parse(R"({"x":1})")) ==
        "The patch body needs an 'operations' array");
  CHECK(apply_error(doc, json::array()) == "The patch has no operations");
  CHECK(apply_error(doc, json::parse(R"([{"op":"copy","path":"/n"}])")) ==
        "Unknown patch operation 'copy' (supported: add, set, replace, remove, incr, move)");
  CHECK(apply_error(doc, json::parse(R"([{"op":"add","path":"n","value":1}])")) ==
        "The patch path 'n' must start with '/'");
  CHECK(apply_error(doc, json::parse(R"([{"op":"add","path":"/n"}])")) ==
        "The patch operation add on '/n' has no 'value'");
  CHECK(apply_error(doc, json::parse(R"([{"op":"incr","path":"/n","value":"1"}])")) ==
        "The incr operation on '/n' needs a number value, not string");
  CHECK(apply_error(doc, json::parse(R"([{"op":"incr","path":"/n","value":1}])")) ==
        "The incr operation on '/n' needs a number there, not string");
  CHECK(apply_error(doc, json::parse(R"([{"op":"replace","path":"/missing","value":1}])")) ==
        "The patch operation replace needs an existing target, and '/missing' does not exist");
  CHECK(apply_error(doc, json::parse(R"([{"op":"set","path":"/x/y","value":1}])")) ==
        "The patch path '/x/y' does not exist: no property 'x'");
  CHECK(apply_error(doc, json::parse(R"([{"op":"add","path":"/a/5","value":1}])")) ==
        "The array index 5 in '/a/5' is beyond the end (size 1)");
  CHECK(apply_error(doc, json::parse(R"([{"op":"remove","path":"/a/x"}])")) ==
        "The patch path '/a/x' needs an array index, not 'x'");
  CHECK(apply_error(doc, json::parse(R"([{"op":"remove","path":"/a~2"}])")) ==
        "The patch path '/a~2' has a '~' not followed by 0 or 1");
  json many = json::array();
  for (int i = 0; i < 11; ++i)
    many.push_back({{"op", "set"}, {"path", "/n"}, {"value", i}});
  CHECK(apply_error(doc, many) == "A patch may have at most 10 operations, this one has 11");
}

TEST_CASE("cosmos emulator: PATCH on a document", "[emulator][cosmos][patch]") {
  with_container emu;
  auto pk = emulator_fixture::pk_header(R"(["p"])");
  auto created = emu.send("POST", docs, R"({"id":"d1","pk":"p","n":1})", pk);
  REQUIRE(created.status == 201);

  auto patched = emu.send("PATCH", docs + "/d1", R"([{"op":"incr","path":"/v","value":1}])", pk);
  REQUIRE(patched.status == 200);
  CHECK(patched.json["v"] == 1);
  CHECK(patched.json["n"] == 1);
  CHECK(patched.json["_etag"] == patched.header("etag"));
  CHECK(patched.header("etag") != created.header("etag"));

  auto cond = emu.send(
      "PATCH", docs + "/d1",
      R"({"operations":[{"op":"set","path":"/n","value":5}],"condition":"from c where c.n > 0"})",
      pk);
  REQUIRE(cond.status == 200);
  CHECK(cond.json["n"] == 5);
  auto failing = emu.send(
      "PATCH", docs + "/d1",
      R"({"operations":[{"op":"set","path":"/n","value":6}],"condition":"FROM c WHERE c.n > 100"})",
      pk);
  CHECK(failing.status == 412);
  CHECK(failing.message() ==
        "Precondition failed: the patch condition 'FROM c WHERE c.n > 100' is false for the "
        "document");
  auto read = emu.send("GET", docs + "/d1", "", pk);
  CHECK(read.json["n"] == 5);

  auto bad_cond = emu.send(
      "PATCH", docs + "/d1",
      R"({"operations":[{"op":"set","path":"/n","value":6}],"condition":"FROM c WHERE"})", pk);
  CHECK(bad_cond.status == 400);
  CHECK(bad_cond.message().starts_with("The patch condition 'FROM c WHERE' is invalid: "));

  auto stale = pk;
  stale.emplace("If-Match", created.header("etag"));
  auto stale_res =
      emu.send("PATCH", docs + "/d1", R"([{"op":"set","path":"/n","value":1}])", stale);
  CHECK(stale_res.status == 412);

  auto missing = emu.send("PATCH", docs + "/nope", R"([{"op":"set","path":"/n","value":1}])", pk);
  CHECK(missing.status == 404);
  auto bad_path = emu.send("PATCH", docs + "/d1", R"([{"op":"remove","path":"/zzz"}])", pk);
  CHECK(bad_path.status == 400);
  CHECK(bad_path.message() ==
        "The patch operation remove needs an existing target, and '/zzz' does not exist");
  auto id_change =
      emu.send("PATCH", docs + "/d1", R"([{"op":"set","path":"/id","value":"x"}])", pk);
  CHECK(id_change.status == 400);
  CHECK(id_change.message() == "A patch cannot change or remove the document's id");
  auto pk_change =
      emu.send("PATCH", docs + "/d1", R"([{"op":"set","path":"/pk","value":"q"}])", pk);
  CHECK(pk_change.status == 400);
  CHECK(pk_change.message() == "A patch cannot change or remove the document's partition key");
  auto no_key = emu.send("PATCH", docs + "/d1", R"([{"op":"set","path":"/n","value":1}])");
  CHECK(no_key.status == 400);
  CHECK(no_key.message() == "PartitionKey value must be supplied for this operation "
                            "(header x-ms-documentdb-partitionkey).");
  auto not_json = emu.send("PATCH", docs + "/d1", "[{", pk);
  CHECK(not_json.status == 400);
  CHECK(not_json.message() == "The patch body is not valid JSON");
}
