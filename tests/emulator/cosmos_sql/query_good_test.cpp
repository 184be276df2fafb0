#include "documents.hpp"
#include "emulator/cosmos/sql/compiled_query.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;
namespace sql = bulkd::emulator::cosmos::sql;

namespace {

struct good_case {
  const char* query;
  const char* parameters; // JSON, or nullptr for none
  const char* expected;   // JSON array: the rows execute() returns
};

std::vector<json> run(const good_case& c, const std::vector<json>& docs) {
  auto params = c.parameters ? json::parse(c.parameters) : json();
  auto q = sql::compile(c.query, params);
  if (!q)
    FAIL("compile failed: " << sql::error_message(q.error()));
  return q->execute(docs);
}

// Queries whose rows are values or projections: the whole result is compared.
const good_case value_cases[] = {
    // equality: numbers compare numerically, other types never equal a number
    {"SELECT VALUE c.id FROM c WHERE c.v = 3", nullptr, R"(["2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = 3.0", nullptr, R"(["2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = 10", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = '10'", nullptr, R"(["4"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = 1e1", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = -2.5", nullptr, R"(["6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = +3", nullptr, R"(["2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v > .5 AND c.v < 4.", nullptr, R"(["2","3"])"},
    {"SELECT VALUE -.5 FROM c WHERE c.id = '1'", nullptr, R"([-0.5])"},
    {"SELECT VALUE 12345678901234567890 FROM c WHERE c.id = '1'", nullptr,
     R"([1.2345678901234567e19])"},
    // ordering comparisons skip other types and undefined
    {"SELECT VALUE c.id FROM c WHERE c.v > 2", nullptr, R"(["1","2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v < -1", nullptr, R"(["6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v >= 3 AND c.v < 10", nullptr, R"(["2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v <= 3", nullptr, R"(["2","3","6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v != 3", nullptr, R"(["1","6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v <> 3", nullptr, R"(["1","6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.name > 'a'", nullptr, R"(["2","4","5","6"])"},
    // three-valued logic
    {"SELECT VALUE c.id FROM c WHERE NOT (c.v = 3)", nullptr, R"(["1","6"])"},
    // NOT binds tighter than comparisons (Cosmos' grammar): (NOT c.v) = 3 is undefined
    {"SELECT VALUE c.id FROM c WHERE NOT c.v = 3", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE NOT c.flag = true", nullptr, R"(["2"])"},
    {"SELECT VALUE c.id FROM c WHERE NOT c.flag AND c.pk = 'p1'", nullptr, R"(["2"])"},
    {"SELECT VALUE c.id FROM c WHERE NOT NOT c.flag", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = 3 OR c.name = 'dave'", nullptr, R"(["2","3","4"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = 3 OR c.missing = 1", nullptr, R"(["2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.missing = 1 OR c.other = 2", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE NOT (c.missing = 1)", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE NOT (c.missing = 1 AND c.v = 10)", nullptr,
     R"(["2","3","6"])"},
    {"SELECT VALUE c.id FROM c WHERE NOT (c.missing = 1 OR c.v = 10)", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE c.pk = 'p1' AND c.v > 0 AND c.flag", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = 10 OR c.v = -2.5 OR c.name = 'bob'", nullptr,
     R"(["1","2","6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.pk = 'p1' AND (c.v = 10 OR c.flag = false)", nullptr,
     R"(["1","2"])"},
    {"SELECT VALUE c.id FROM c WHERE c.pk = 'p1' OR c.pk = 'p2' AND c.v = 3", nullptr,
     R"(["1","2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.flag", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.flag = false", nullptr, R"(["2"])"},
    {"SELECT VALUE c.id FROM c WHERE NOT c.flag", nullptr, R"(["2"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE c.score = null", nullptr, R"(["3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = undefined", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE true", nullptr, R"(["1","2","3","4","5","6"])"},
    {"SELECT VALUE c.id FROM c WHERE 1 = 1.0 AND null = null AND 'a' < 'b'", nullptr,
     R"(["1","2","3","4","5","6"])"},
    {"SELECT VALUE c.id FROM c WHERE false", nullptr, R"([])"},
    // functions
    {"SELECT VALUE c.id FROM c WHERE IS_NULL(c.score)", nullptr, R"(["3"])"},
    {"SELECT VALUE c.id FROM c WHERE IS_DEFINED(c.score)", nullptr, R"(["3"])"},
    {"SELECT VALUE c.id FROM c WHERE NOT IS_DEFINED(c.v)", nullptr, R"(["5"])"},
    {"SELECT VALUE c.id FROM c WHERE IS_STRING(c.v)", nullptr, R"(["4"])"},
    {"SELECT VALUE c.id FROM c WHERE IS_NUMBER(c.v)", nullptr, R"(["1","2","3","6"])"},
    {"SELECT VALUE c.id FROM c WHERE IS_BOOL(c.flag)", nullptr, R"(["1","2"])"},
    {"SELECT VALUE c.id FROM c WHERE IS_ARRAY(c.tags)", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE IS_OBJECT(c.nested)", nullptr, R"(["1","2"])"},
    {"SELECT VALUE c.id FROM c WHERE STARTSWITH(c.name, 'A')", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE STARTSWITH(c.name, 'a', true)", nullptr, R"(["1","6"])"},
    {"SELECT VALUE c.id FROM c WHERE STARTSWITH(c.name, 'a', false)", nullptr, R"(["6"])"},
    {"SELECT VALUE c.id FROM c WHERE startswith(c.name, @p)", R"([{"name":"@p","value":"Al"}])",
     R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE STARTSWITH(c.v, '3')", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE STARTSWITH(c.v, '1')", nullptr, R"(["4"])"},
    {"SELECT VALUE c.id FROM c WHERE STARTSWITH(c.name, 'a', 'yes')", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE STARTSWITH(c.name, '')", nullptr,
     R"(["1","2","3","4","5","6"])"},
    {"SELECT VALUE c.id FROM c WHERE ENDSWITH(c.name, 'e')", nullptr, R"(["1","4","5","6"])"},
    {"SELECT VALUE c.id FROM c WHERE ENDSWITH(c.name, 'CE', true)", nullptr, R"(["1","6"])"},
    {"SELECT VALUE c.id FROM c WHERE CONTAINS(c.name, 'o')", nullptr, R"(["2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE CONTAINS(c.name, 'AR', true)", nullptr, R"(["3"])"},
    {"SELECT VALUE c.id FROM c WHERE CONTAINS(c.name, 'mil')", nullptr, R"(["5"])"},
    {"SELECT VALUE c.id FROM c WHERE ARRAY_CONTAINS(c.tags, 'b')", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE ARRAY_CONTAINS(c.tags, 'c')", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE ARRAY_CONTAINS(c.name, 'a')", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE ARRAY_CONTAINS(@ids, c.id)",
     R"([{"name":"@ids","value":["2","5","9"]}])", R"(["2","5"])"},
    {"SELECT VALUE c.id FROM c WHERE array_contains(@objs, c.nested, true)",
     R"([{"name":"@objs","value":[{"x":2,"extra":1}]}])", R"(["2"])"},
    {"SELECT VALUE c.id FROM c WHERE ARRAY_CONTAINS(@objs, c.nested)",
     R"([{"name":"@objs","value":[{"x":2,"extra":1}]}])", R"([])"},
    // paths
    {"SELECT VALUE c.id FROM c WHERE c.nested.x = 2", nullptr, R"(["2"])"},
    {"SELECT VALUE c.id FROM c WHERE c.nested.y.z = 'deep'", nullptr, R"(["1"])"},
    {R"(SELECT VALUE c.id FROM c WHERE c["a b"] = 'space')", nullptr, R"(["1"])"},
    {R"(SELECT VALUE c.id FROM c WHERE c['nested']["x"] = 1)", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.tags[1] = 'b'", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.tags[5] = 'b'", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE c.name.first = 'x'", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c WHERE c[@f] = 'p1'", R"([{"name":"@f","value":"pk"}])",
     R"(["1","2"])"},
    {"SELECT VALUE c.id FROM c WHERE c.value = 1", nullptr, R"([])"},
    // composite equality through parameters
    {"SELECT VALUE c.id FROM c WHERE c.tags = @t", R"([{"name":"@t","value":["a","b"]}])",
     R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.nested = @o", R"([{"name":"@o","value":{"x":2.0}}])",
     R"(["2"])"},
    {"SELECT VALUE c.id FROM c WHERE c.nested != @o", R"([{"name":"@o","value":{"x":2}}])",
     R"([])"},
    // IN, BETWEEN
    {"SELECT VALUE c.id FROM c WHERE c.pk IN ('p1', 'p3')", nullptr, R"(["1","2","5","6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.pk NOT IN ('p1')", nullptr, R"(["3","4","5","6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v IN (3, '10')", nullptr, R"(["2","3","4"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v NOT IN (3)", nullptr, R"(["1","4","6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v BETWEEN 0 AND 5", nullptr, R"(["2","3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v NOT BETWEEN 0 AND 5", nullptr, R"(["1","6"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v BETWEEN 0 AND 5 AND c.pk = 'p2'", nullptr, R"(["3"])"},
    // parameters
    {"SELECT VALUE c.id FROM c WHERE c.v > @min AND c.pk = @pk",
     R"([{"name":"@min","value":5},{"name":"@pk","value":"p1"}])", R"(["1"])"},
    {"SELECT VALUE c.id FROM c WHERE c.score = @p", R"([{"name":"@p","value":null}])", R"(["3"])"},
    {"SELECT VALUE c.id FROM c WHERE c.v = @p", R"([{"name":"@p"}])", R"([])"},
    {"SELECT VALUE c.id FROM c WHERE c.flag = @b", R"([{"name":"@b","value":true}])", R"(["1"])"},
    // keywords in any case, any alias, whitespace and lines
    {"select value c.id from c where c.v = 3 order by c.id desc", nullptr, R"(["3","2"])"},
    {"SeLeCt VaLuE r.id FrOm root r WhErE r.pk = 'p2'", nullptr, R"(["3","4"])"},
    {"SELECT VALUE x.id FROM Items AS x WHERE x.v = 10", nullptr, R"(["1"])"},
    {"SELECT VALUE root.id FROM root WHERE root.v = 10", nullptr, R"(["1"])"},
    {"SELECT VALUE c.id\nFROM c\n\tWHERE c.v = 10\r\n", nullptr, R"(["1"])"},
    // projections
    {"SELECT c.id, c.nested.x FROM c WHERE c.pk = 'p1'", nullptr,
     R"([{"id":"1","x":1},{"id":"2","x":2}])"},
    {"SELECT c.id AS ident, c.nested.y.z AS zz FROM c WHERE c.id = '1'", nullptr,
     R"([{"ident":"1","zz":"deep"}])"},
    {"SELECT c.id ident FROM c WHERE c.id = '1'", nullptr, R"([{"ident":"1"}])"},
    {"SELECT c.id, c.score FROM c WHERE c.pk = 'p2'", nullptr,
     R"([{"id":"3","score":null},{"id":"4"}])"},
    {"SELECT c.tags[0], c.id = '1', c.id FROM c WHERE c.id = '1'", nullptr,
     R"([{"$1":"a","$2":true,"id":"1"}])"},
    {R"(SELECT c["a b"] FROM c WHERE c.id = '1')", nullptr, R"([{"a b":"space"}])"},
    {"SELECT c.missing FROM c WHERE c.id = '1'", nullptr, R"([{}])"},
    {"SELECT c FROM c WHERE c.id = '2'", nullptr,
     R"([{"c":{"id":"2","pk":"p1","v":3,"name":"bob","nested":{"x":2},"flag":false}}])"},
    {"SELECT VALUE c.score FROM c", nullptr, R"([null])"},
    {"SELECT VALUE c.nested FROM c WHERE c.id = '2'", nullptr, R"([{"x":2}])"},
    {"SELECT VALUE 'it\\'s \\u00e9\\n' FROM c WHERE c.id = '1'", nullptr, R"(["it's \u00e9\n"])"},
    {"SELECT VALUE \"say \\\"hi\\\"\" FROM c WHERE c.id = '1'", nullptr, R"(["say \"hi\""])"},
    {"SELECT VALUE c.id FROM c WHERE c.name = \"bob\"", nullptr, R"(["2"])"},
    {"SELECT VALUE STARTSWITH(c.name, 'b') FROM c WHERE c.pk = 'p1'", nullptr, R"([false,true])"},
    // DISTINCT
    {"SELECT DISTINCT VALUE c.pk FROM c", nullptr, R"(["p1","p2","p3"])"},
    {"SELECT DISTINCT c.pk FROM c ORDER BY c.pk DESC", nullptr,
     R"([{"pk":"p3"},{"pk":"p2"},{"pk":"p1"}])"},
    {"SELECT DISTINCT VALUE c.v FROM c", nullptr, R"([10,3,"10",-2.5])"},
    {"SELECT DISTINCT TOP 2 VALUE c.pk FROM c", nullptr, R"(["p1","p2"])"},
    {"SELECT DISTINCT VALUE c.pk FROM c OFFSET 1 LIMIT 1", nullptr, R"(["p2"])"},
    {"SELECT DISTINCT c.missing FROM c", nullptr, R"([{}])"},
    // COUNT
    {"SELECT VALUE COUNT(1) FROM c", nullptr, R"([6])"},
    {"SELECT VALUE COUNT(1) FROM c WHERE c.pk = 'p1'", nullptr, R"([2])"},
    {"SELECT VALUE COUNT(1) FROM c WHERE c.v > 100", nullptr, R"([0])"},
    {"SELECT COUNT(1) FROM c", nullptr, R"([{"$1":6}])"},
    {"SELECT COUNT(1) AS n FROM c WHERE c.pk = @p", R"([{"name":"@p","value":"p3"}])",
     R"([{"n":2}])"},
    {"SELECT VALUE COUNT(c.v) FROM c", nullptr, R"([5])"},
    {"select value count(c.score) from c", nullptr, R"([1])"},
    {"SELECT TOP 0 VALUE COUNT(1) FROM c", nullptr, R"([])"},
    // TOP, ORDER BY, OFFSET LIMIT
    {"SELECT TOP 3 VALUE c.id FROM c", nullptr, R"(["1","2","3"])"},
    {"SELECT TOP @n VALUE c.id FROM c", R"([{"name":"@n","value":1}])", R"(["1"])"},
    {"SELECT TOP 0 VALUE c.id FROM c", nullptr, R"([])"},
    {"SELECT TOP 100 VALUE c.id FROM c WHERE c.pk = 'p1'", nullptr, R"(["1","2"])"},
    {"SELECT VALUE c.id FROM c ORDER BY c.v", nullptr, R"(["5","6","2","3","1","4"])"},
    {"SELECT VALUE c.id FROM c ORDER BY c.v ASC", nullptr, R"(["5","6","2","3","1","4"])"},
    {"SELECT VALUE c.id FROM c ORDER BY c.v DESC", nullptr, R"(["4","1","2","3","6","5"])"},
    {"SELECT VALUE c.id FROM c ORDER BY c.name", nullptr, R"(["1","3","6","2","4","5"])"},
    {R"(SELECT VALUE c.id FROM c ORDER BY c["name"] DESC)", nullptr,
     R"(["5","4","2","6","3","1"])"},
    {"SELECT VALUE c.id FROM c ORDER BY c.flag", nullptr, R"(["3","4","5","6","2","1"])"},
    {"SELECT VALUE c.id FROM c ORDER BY c.score DESC", nullptr, R"(["3","1","2","4","5","6"])"},
    {"SELECT TOP 2 VALUE c.id FROM c WHERE IS_NUMBER(c.v) ORDER BY c.v DESC", nullptr,
     R"(["1","2"])"},
    {"SELECT VALUE c.id FROM c ORDER BY c.id OFFSET 1 LIMIT 2", nullptr, R"(["2","3"])"},
    {"SELECT VALUE c.id FROM c ORDER BY c.id DESC OFFSET 0 LIMIT 1", nullptr, R"(["6"])"},
    {"SELECT VALUE c.id FROM c OFFSET 10 LIMIT 5", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c OFFSET 4 LIMIT 0", nullptr, R"([])"},
    {"SELECT VALUE c.id FROM c OFFSET @o LIMIT @l",
     R"([{"name":"@o","value":4},{"name":"@l","value":10}])", R"(["5","6"])"},
    {"SELECT VALUE c.score FROM c OFFSET 0 LIMIT 1", nullptr, R"([null])"},
};

// SELECT * queries: the ids of the rows, in order (rows are whole documents).
const good_case star_cases[] = {
    {"SELECT * FROM c", nullptr, R"(["1","2","3","4","5","6"])"},
    {"SELECT * FROM c WHERE c.pk = @p", R"([{"name":"@p","value":"p1"}])", R"(["1","2"])"},
    {"SELECT TOP 2 * FROM c ORDER BY c.v DESC", nullptr, R"(["4","1"])"},
    {"SELECT * FROM root r WHERE r.nested.x >= 1", nullptr, R"(["1","2"])"},
    {"SELECT * FROM c WHERE STARTSWITH(c.id, '5')", nullptr, R"(["5"])"},
    {"SELECT * FROM c ORDER BY c.name DESC OFFSET 1 LIMIT 2", nullptr, R"(["4","2"])"},
};

std::vector<json> ids_of(const std::vector<json>& rows) {
  std::vector<json> out;
  for (auto& r : rows)
    out.push_back(r.at("id"));
  return out;
}

} // namespace

TEST_CASE("cosmos sql: good queries return the expected rows", "[cosmos_sql]") {
  auto docs = sql::test::documents();
  for (const auto& c : value_cases) {
    INFO(c.query);
    CHECK(json(run(c, docs)) == json::parse(c.expected));
  }
}

TEST_CASE("cosmos sql: SELECT * returns whole documents in the expected order", "[cosmos_sql]") {
  auto docs = sql::test::documents();
  for (const auto& c : star_cases) {
    INFO(c.query);
    auto rows = run(c, docs);
    CHECK(json(ids_of(rows)) == json::parse(c.expected));
    for (auto& r : rows)
      for (auto& d : docs)
        if (d["id"] == r["id"])
          CHECK(r == d);
  }
}

// The exact request bodies of shared/reference/sdk-captures 11-15, over the two captured items;
// the expected Documents are those the captures show.
TEST_CASE("cosmos sql: the JS SDK's captured queries", "[cosmos_sql]") {
  auto docs = sql::test::capture_documents();
  struct capture {
    const char* body;
    json expected;
  };
  const capture captures[] = {
      {R"({"query":"SELECT * FROM c WHERE c.pk = @p","parameters":[{"name":"@p","value":"p1"}]})",
       json(docs)},
      {R"({"query":"SELECT VALUE COUNT(1) FROM c"})", json::array({2})},
      {R"({"query":"SELECT TOP 2 * FROM c ORDER BY c.v DESC"})", json(docs)},
      {R"({"query":"SELECT * from c"})", json(docs)},
  };
  for (const auto& c : captures) {
    INFO(c.body);
    auto body = json::parse(c.body);
    auto q = sql::compile(body.at("query").get<std::string>(), body.value("parameters", json()));
    REQUIRE(q);
    CHECK(json(q->execute(docs)) == c.expected);
  }
  // ORDER BY really orders: reversed input, same answer.
  auto q = sql::compile("SELECT TOP 2 * FROM c ORDER BY c.v DESC");
  REQUIRE(q);
  std::vector<json> reversed{docs[1], docs[0]};
  CHECK(json(q->execute(reversed)) == json(docs));
  auto top1 = sql::compile("SELECT TOP 1 * FROM c ORDER BY c.v");
  REQUIRE(top1);
  CHECK(json(top1->execute(docs)) == json::array({docs[1]}));
}
