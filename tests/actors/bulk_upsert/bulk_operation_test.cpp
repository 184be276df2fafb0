#include "actors/bulk_upsert/bulk_operation.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bulkd;

namespace {

input_record record(std::string doc, std::string id, cosmos::partition_key key) {
  input_record r;
  r.at = {0, 7, 100, 150};
  r.document = std::move(doc);
  r.id = std::move(id);
  r.key = std::move(key);
  return r;
}

} // namespace

TEST_CASE("bulk operation: upsert embeds the document as is and recovers it",
          "[actors][bulk_upsert]") {
  auto rec = record(R"({"id":"a","pk":"p\"1"})", "a", {std::string{"p\"1"}});
  auto op = make_bulk_operation(rec, write_operation::upsert, {});
  REQUIRE(op);
  auto json = nlohmann::json::parse(op->json);
  CHECK(json["operationType"] == "Upsert");
  CHECK(json["partitionKey"] == R"(["p\"1"])");
  CHECK(json["resourceBody"]["pk"] == "p\"1");
  CHECK(json["minimalReturnPreference"] == true);
  CHECK_FALSE(json.contains("id"));
  CHECK(op->record() == rec.document);
}

TEST_CASE("bulk operation: delete and replace carry the id, delete has no body",
          "[actors][bulk_upsert]") {
  auto rec = record(R"({"id":"a\\b","n":5})", "a\\b", {5.0});
  auto del = make_bulk_operation(rec, write_operation::remove, {});
  REQUIRE(del);
  auto json = nlohmann::json::parse(del->json);
  CHECK(json["operationType"] == "Delete");
  CHECK(json["id"] == "a\\b");
  CHECK(json["partitionKey"] == "[5]");
  CHECK_FALSE(json.contains("resourceBody"));
  CHECK(del->record() == rec.document);
  auto rep = make_bulk_operation(rec, write_operation::replace, {});
  REQUIRE(rep);
  CHECK(nlohmann::json::parse(rep->json)["operationType"] == "Replace");
  auto no_id = make_bulk_operation(record("{}", "", {5.0}), write_operation::remove, {});
  REQUIRE_FALSE(no_id);
  CHECK_THAT(render(no_id.error()), Catch::Contains("delete needs the record's id"));
}

TEST_CASE("bulk operation: patch takes values from the record", "[actors][bulk_upsert]") {
  auto rec = record(R"({"id":"a","price":{"eur":12.5},"qty":3})", "a", {std::string{"k"}});
  std::vector<patch_operation> patch{{patch_op::set, "/price", "/price/eur"},
                                     {patch_op::incr, "/stock", "/qty"},
                                     {patch_op::remove, "/old", ""}};
  auto op = make_bulk_operation(rec, write_operation::patch, patch);
  REQUIRE(op);
  auto json = nlohmann::json::parse(op->json);
  CHECK(json["operationType"] == "Patch");
  CHECK(json["id"] == "a");
  auto ops = json["resourceBody"]["operations"];
  REQUIRE(ops.size() == 3);
  CHECK(ops[0] == nlohmann::json{{"op", "set"}, {"path", "/price"}, {"value", 12.5}});
  CHECK(ops[1] == nlohmann::json{{"op", "incr"}, {"path", "/stock"}, {"value", 3}});
  CHECK(ops[2] == nlohmann::json{{"op", "remove"}, {"path", "/old"}});
  CHECK(op->record() == rec.document);

  auto missing = make_bulk_operation(rec, write_operation::patch, {{patch_op::set, "/x", "/nope"}});
  REQUIRE_FALSE(missing);
  CHECK_THAT(render(missing.error()), Catch::Contains("patch: the record has no value at /nope"));
  auto not_number =
      make_bulk_operation(rec, write_operation::patch, {{patch_op::incr, "/x", "/price"}});
  REQUIRE_FALSE(not_number);
  CHECK_THAT(render(not_number.error()), Catch::Contains("incr needs a number at /price"));
}
