#include "documents.hpp"
#include "emulator/cosmos/sql/compiled_query.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using nlohmann::json;
namespace sql = bulkd::emulator::cosmos::sql;

TEST_CASE("cosmos sql compiled_query: pieces for a streaming route", "[cosmos_sql]") {
  auto docs = sql::test::documents();
  auto q = sql::compile("SELECT c.id, c.v FROM c WHERE c.pk != @p ORDER BY c.v DESC OFFSET 1 "
                        "LIMIT 2",
                        json::parse(R"([{"name":"@p","value":"p1"}])"));
  REQUIRE(q);
  CHECK_FALSE(q->is_aggregate());
  CHECK(q->has_order());
  CHECK(q->descending());
  CHECK(q->skip() == 1);
  CHECK(q->take() == 2u);
  CHECK_FALSE(q->matches(docs[0]));
  CHECK(q->matches(docs[2]));
  CHECK(q->project(docs[2]) == json::parse(R"({"id":"3","v":3.0})"));
  CHECK(q->project(docs[4]) == json::parse(R"({"id":"5"})"));
  CHECK(q->order_key(docs[3]) == json("10"));
  CHECK_FALSE(q->order_key(docs[4]));
  CHECK(q->sorts_before(docs[3], docs[2])); // strings after numbers, reversed
  CHECK_FALSE(q->sorts_before(docs[2], docs[3]));
  CHECK_FALSE(q->sorts_before(docs[1], docs[2])); // 3 and 3.0 tie
  CHECK(q->compare_keys(std::nullopt, json(nullptr)) == 1);

  // The route's way: filter, sort, project, window.
  std::vector<json> kept;
  std::copy_if(docs.begin(), docs.end(), std::back_inserter(kept),
               [&](const json& d) { return q->matches(d); });
  std::stable_sort(kept.begin(), kept.end(),
                   [&](const json& a, const json& b) { return q->sorts_before(a, b); });
  std::vector<json> rows;
  for (size_t i = q->skip(); i < kept.size() && rows.size() < *q->take(); ++i)
    rows.push_back(*q->project(kept[i]));
  CHECK(json(rows) == json::parse(R"([{"id":"3","v":3.0},{"id":"6","v":-2.5}])"));
  CHECK(json(rows) == json(q->execute(docs)));
}

TEST_CASE("cosmos sql compiled_query: aggregates", "[cosmos_sql]") {
  auto docs = sql::test::documents();
  auto value_count = sql::compile("SELECT VALUE COUNT(c.score) FROM c");
  REQUIRE(value_count);
  CHECK(value_count->is_aggregate());
  CHECK_FALSE(value_count->has_order());
  CHECK(value_count->counts(docs[2]));
  CHECK_FALSE(value_count->counts(docs[0]));
  CHECK(value_count->aggregate_row(7) == json(7));
  auto named = sql::compile("SELECT COUNT(1) AS total FROM c");
  REQUIRE(named);
  CHECK(named->aggregate_row(0) == json::parse(R"({"total":0})"));
  CHECK(json(named->execute({})) == json::parse(R"([{"total":0}])"));
  auto plain = sql::compile("SELECT VALUE c.id FROM c");
  REQUIRE(plain);
  CHECK_FALSE(plain->is_aggregate());
  CHECK_FALSE(plain->take());
  CHECK(plain->skip() == 0);
}

TEST_CASE("cosmos sql compiled_query: copies share the tree and stay valid", "[cosmos_sql]") {
  std::optional<sql::compiled_query> copy;
  {
    auto q = sql::compile("SELECT VALUE @v FROM c WHERE c.id = @id",
                          json::parse(R"([{"name":"@v","value":{"k":[1,2]}},
                                          {"name":"@id","value":"2"}])"));
    REQUIRE(q);
    copy = *q;
  }
  CHECK(json(copy->execute(sql::test::documents())) == json::parse(R"([{"k":[1,2]}])"));
  CHECK(copy->syntax().alias == "c");
}
