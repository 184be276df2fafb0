#include "clients/error.hpp"
#include "emulator/cosmos/sql/compiled_query.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;
namespace sql = bulkd::emulator::cosmos::sql;

namespace {

struct bad_case {
  const char* query;
  const char* parameters; // JSON, or nullptr for none
  const char* message;
};

const bad_case bad_cases[] = {
    // unsupported constructs, named with their position
    {"SELECT * FROM c GROUP BY c.pk", nullptr, "unsupported: GROUP BY at 1:17"},
    {"SELECT * FROM c WHERE c.v = 1 GROUP BY c.pk", nullptr, "unsupported: GROUP BY at 1:31"},
    {"SELECT * FROM c JOIN t IN c.tags", nullptr, "unsupported: JOIN at 1:17"},
    {"SELECT * FROM r JOIN t IN r.tags", nullptr, "unsupported: JOIN at 1:17"},
    {"SELECT * FROM c IN c.tags", nullptr, "unsupported: FROM ... IN (iteration) at 1:17"},
    {"SELECT * FROM c.tags", nullptr, "unsupported: FROM on a sub-path at 1:16"},
    {"SELECT * FROM (SELECT * FROM c)", nullptr, "unsupported: subquery in FROM at 1:15"},
    {"SELECT * FROM c WHERE (SELECT VALUE 1) = 1", nullptr, "unsupported: subquery at 1:24"},
    {"SELECT * FROM c WHERE c.pk IN (SELECT VALUE 1)", nullptr, "unsupported: subquery at 1:32"},
    {"SELECT * FROM c WHERE EXISTS(SELECT VALUE t FROM t IN c.tags)", nullptr,
     "unsupported: EXISTS subquery at 1:23"},
    {"SELECT ARRAY(SELECT VALUE t FROM t IN c.tags) FROM c", nullptr,
     "unsupported: ARRAY subquery at 1:8"},
    {"SELECT TOP 1 DISTINCT c.pk FROM c", nullptr,
     "syntax error: DISTINCT comes before TOP at 1:14"},
    {"SELECT VALUE SUM(c.v) FROM c", nullptr, "unsupported: aggregate SUM at 1:14"},
    {"SELECT MAX(c.v) FROM c", nullptr, "unsupported: aggregate MAX at 1:8"},
    {"SELECT VALUE avg(c.v) FROM c", nullptr, "unsupported: aggregate AVG at 1:14"},
    {"SELECT * FROM c WHERE LOWER(c.name) = 'bob'", nullptr, "unsupported: function LOWER at 1:23"},
    {"SELECT * FROM c WHERE udf.f(c) = 1", nullptr, "unsupported: user-defined function at 1:23"},
    {"SELECT * FROM c WHERE c.name LIKE 'b%'", nullptr, "unsupported: LIKE at 1:30"},
    {"SELECT * FROM c WHERE c.name NOT LIKE 'b%'", nullptr, "unsupported: LIKE at 1:34"},
    {"SELECT * FROM c WHERE c.v + 1 > 2", nullptr, "unsupported: operator '+' at 1:27"},
    {"SELECT VALUE c.v * 2 FROM c", nullptr, "unsupported: operator '*' at 1:18"},
    {"SELECT VALUE c.a || c.b FROM c", nullptr, "unsupported: operator '||' at 1:18"},
    {"SELECT * FROM c WHERE c.a = 1 ? 2 : 3", nullptr, "unsupported: operator '?' at 1:31"},
    {"SELECT * FROM c WHERE c.a ?? 1", nullptr, "unsupported: operator '?\?' at 1:27"},
    {"SELECT * FROM c WHERE c.v = -c.w", nullptr, "unsupported: operator '-' at 1:29"},
    {"SELECT * FROM c WHERE c.tags = ['a']", nullptr, "unsupported: array literal at 1:32"},
    {"SELECT * FROM c WHERE c.o = {}", nullptr, "unsupported: object literal at 1:29"},
    {"SELECT * FROM c WHERE c[c.k] = 1", nullptr, "unsupported: computed property index at 1:25"},
    {"SELECT * FROM c ORDER BY c.a, c.b", nullptr,
     "unsupported: ORDER BY on more than one expression at 1:29"},
    {"SELECT * FROM c ORDER BY STARTSWITH(c.a, 'x')", nullptr,
     "unsupported: ORDER BY on an expression other than a path at 1:26"},
    {"SELECT TOP 1 * FROM c OFFSET 0 LIMIT 1", nullptr,
     "unsupported: TOP together with OFFSET LIMIT at 1:23"},
    {"SELECT VALUE COUNT(1) FROM c ORDER BY c.v", nullptr,
     "unsupported: ORDER BY with an aggregate at 1:30"},
    {"SELECT COUNT(1), c.id FROM c", nullptr,
     "unsupported: COUNT together with other SELECT items at 1:8"},
    {"SELECT * FROM c WHERE COUNT(1) > 0", nullptr, "unsupported: aggregate in WHERE at 1:23"},
    {"SELECT VALUE NOT COUNT(1) FROM c", nullptr,
     "unsupported: COUNT inside an expression at 1:18"},
    {"SELECT VALUE COUNT(COUNT(1)) FROM c", nullptr, "unsupported: nested aggregate at 1:20"},
    {"SELECT * FROM c HAVING c.v > 1", nullptr, "unsupported: HAVING at 1:17"},
    // parameters
    {"SELECT * FROM c WHERE c.x = @y", nullptr, "unknown parameter @y at 1:29"},
    {"SELECT * FROM c WHERE c.x = @y", R"([{"name":"@x","value":1}])",
     "unknown parameter @y at 1:29"},
    {"SELECT * FROM c WHERE c.x = @X", R"([{"name":"@x","value":1}])",
     "unknown parameter @X at 1:29"},
    {"SELECT * FROM c WHERE c.v = @", nullptr, "invalid parameter name at 1:29"},
    {"SELECT * FROM c WHERE c[@f] = 1", R"([{"name":"@f","value":true}])",
     "a property index must be a string or a non-negative integer at 1:25"},
    {"SELECT * FROM c WHERE c[1.5] = 1", nullptr,
     "a property index must be a string or a non-negative integer at 1:25"},
    {"SELECT TOP @n * FROM c", R"([{"name":"@n","value":"x"}])",
     "TOP expects a non-negative integer at 1:12"},
    {"SELECT TOP @n * FROM c", R"([{"name":"@n","value":-1}])",
     "TOP expects a non-negative integer at 1:12"},
    {"SELECT * FROM c", R"({"name":"@x","value":1})", "parameters must be an array"},
    {"SELECT * FROM c", R"([5])", "parameter 0 must be an object"},
    {"SELECT * FROM c", R"([{"name":"@a","value":1},{"value":1}])",
     "parameter 1 needs a string \"name\""},
    {"SELECT * FROM c", R"([{"name":"x","value":1}])", "parameter name must start with '@': \"x\""},
    {"SELECT * FROM c", R"([{"name":"@x","value":1},{"name":"@x","value":2}])",
     "duplicate parameter @x"},
    // lexical errors
    {"SELECT * FROM c WHERE c.name = 'bob", nullptr, "unterminated string at 1:32"},
    {"SELECT * FROM c WHERE c.name = \"bob", nullptr, "unterminated string at 1:32"},
    {"SELECT *\nFROM c\nWHERE c.x = 'open", nullptr, "unterminated string at 3:13"},
    {"SELECT * FROM c WHERE c.name = 'a\\qb'", nullptr, "invalid escape sequence '\\q' at 1:34"},
    {"SELECT * FROM c WHERE c.name = 'a\\u12'", nullptr, "invalid \\u escape at 1:34"},
    {"SELECT * FROM c WHERE c.name = '\\ud800'", nullptr,
     "unpaired surrogate in \\u escape at 1:33"},
    {"SELECT * FROM c WHERE c.v = #", nullptr, "unexpected character '#' at 1:29"},
    {"SELECT VALUE c.\xc3\xa9 FROM c", nullptr, "unexpected character '\xc3\xa9' at 1:16"},
    {"SELECT VALUE '\xc3\xa9' = c.v FROM c WHERE c.v = !", nullptr,
     "unexpected character '!' at 1:43"},
    {"SELECT * FROM c WHERE c.v = 1e", nullptr, "invalid number exponent at 1:30"},
    {"SELECT VALUE 1e999 FROM c", nullptr, "number out of range at 1:14"},
    {"SELECT VALUE c.tags[-1] FROM c", nullptr, "unsupported: computed property index at 1:21"},
    // syntax errors
    {"", nullptr, "syntax error: expected SELECT, found end of query at 1:1"},
    {"UPDATE c SET x = 1", nullptr, "syntax error: expected SELECT, found 'UPDATE' at 1:1"},
    {"SELECT * c", nullptr, "syntax error: expected FROM, found 'c' at 1:10"},
    {"SELECT *, c.id FROM c", nullptr, "syntax error: expected FROM, found ',' at 1:9"},
    {"SELECT c.id, * FROM c", nullptr, "syntax error: '*' must be the only SELECT item at 1:14"},
    {"SELECT * FROM", nullptr,
     "syntax error: expected a container name, found end of query at 1:14"},
    {"SELECT * FROM c WHERE", nullptr,
     "syntax error: expected an expression, found end of query at 1:22"},
    {"SELECT * FROM c WHERE c.v = 1 AND", nullptr,
     "syntax error: expected an expression, found end of query at 1:34"},
    {"SELECT * FROM c WHERE c.v == 1", nullptr,
     "syntax error: expected an expression, found '=' at 1:28"},
    {"SELECT * FROM c WHERE (c.v = 1", nullptr,
     "syntax error: expected ')', found end of query at 1:31"},
    {"SELECT * FROM c WHERE c.v = 1 extra", nullptr, "syntax error: unexpected 'extra' at 1:31"},
    {"SELECT * FROM c WHERE c.v = 1 = 2", nullptr, "syntax error: unexpected '=' at 1:31"},
    {"SELECT * FROM c WHERE c.v BETWEEN 1 OR 2", nullptr,
     "syntax error: expected AND, found 'OR' at 1:37"},
    {"SELECT * FROM c WHERE c. = 1", nullptr,
     "syntax error: expected a property name after '.', found '=' at 1:26"},
    {"SELECT * FROM c WHERE c.v = FROM", nullptr,
     "syntax error: expected an expression, found 'FROM' at 1:29"},
    {"SELECT c.id AS value FROM c", nullptr,
     "syntax error: expected a name after AS, found 'value' at 1:16"},
    {"SELECT * FROM c OFFSET 1", nullptr,
     "syntax error: expected LIMIT, found end of query at 1:25"},
    {"SELECT * FROM c LIMIT 1", nullptr, "LIMIT requires OFFSET at 1:17"},
    {"SELECT * FROM c ORDER c.v", nullptr, "syntax error: expected BY, found 'c' at 1:23"},
    {"SELECT TOP -1 * FROM c", nullptr, "TOP expects a non-negative integer at 1:12"},
    {"SELECT TOP 1.5 * FROM c", nullptr, "TOP expects a non-negative integer at 1:12"},
    {"SELECT * FROM c OFFSET 'a' LIMIT 1", nullptr,
     "OFFSET expects a non-negative integer at 1:24"},
    {"SELECT * FROM c WHERE STARTSWITH(c.name)", nullptr,
     "STARTSWITH expects 2 or 3 arguments at 1:23"},
    {"SELECT * FROM c WHERE IS_DEFINED(c.a, c.b)", nullptr,
     "IS_DEFINED expects 1 argument at 1:23"},
    {"SELECT VALUE COUNT() FROM c", nullptr, "COUNT expects 1 argument at 1:14"},
    {"SELECT * FROM c WHERE ARRAY_CONTAINS(c.tags)", nullptr,
     "ARRAY_CONTAINS expects 2 or 3 arguments at 1:23"},
    // names
    {"SELECT * FROM c WHERE x.v = 1", nullptr, "identifier 'x' could not be resolved at 1:23"},
    {"SELECT VALUE c.id FROM root r", nullptr, "identifier 'c' could not be resolved at 1:14"},
    {"SELECT VALUE C.id FROM c", nullptr, "identifier 'C' could not be resolved at 1:14"},
    {"SELECT c.id, c.id FROM c", nullptr, "duplicate SELECT item name 'id' at 1:14"},
    {"SELECT c.a AS x, c.b AS x FROM c", nullptr, "duplicate SELECT item name 'x' at 1:18"},
};

} // namespace

TEST_CASE("cosmos sql: bad queries fail with a message naming the problem", "[cosmos_sql]") {
  for (const auto& c : bad_cases) {
    INFO(c.query);
    auto params = c.parameters ? json::parse(c.parameters) : json();
    auto q = sql::compile(c.query, params);
    REQUIRE_FALSE(q);
    CHECK(sql::error_message(q.error()) == c.message);
    CHECK(q.error().code() == static_cast<uint8_t>(bulkd::ec::invalid_argument));
  }
}

TEST_CASE("cosmos sql: error_message of a foreign error falls back to render()", "[cosmos_sql]") {
  auto err = bulkd::make_error(bulkd::ec::timeout);
  CHECK(sql::error_message(err) == "timeout");
}

TEST_CASE("cosmos sql: deep nesting is refused, long flat lists are not", "[cosmos_sql]") {
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
      out += s;
    return out;
  };
  auto message = [](const std::string& query) {
    auto q = sql::compile(query);
    return q ? std::string{"compiled"} : sql::error_message(q.error());
  };
  CHECK(message("SELECT * FROM c WHERE " + repeat("NOT ", 100) + "true") ==
        "expression nested too deeply at 1:275");
  CHECK(message("SELECT * FROM c WHERE " + repeat("(", 100) + "true" + repeat(")", 100)) ==
        "expression nested too deeply at 1:87");
  // AND/OR chains are flat: a .NET ReadMany-style query with 1000 ORs is fine.
  std::string read_many = "SELECT VALUE c.id FROM c WHERE (c.id = 'x' AND c.pk = 'p')";
  for (int i = 0; i < 1000; ++i)
    read_many += " OR (c.id = '" + std::to_string(i) + "' AND c.pk = 'p')";
  auto many = sql::compile(read_many);
  REQUIRE(many);
  CHECK(json(many->execute(
            {json::parse(R"({"id":"999","pk":"p"})"), json::parse(R"({"id":"998","pk":"q"})")})) ==
        json::parse(R"(["999"])"));
  CHECK(message("SELECT * FROM c WHERE " + repeat("NOT ", 60) + "true") == "compiled");

  auto chain =
      sql::compile("SELECT VALUE c.id FROM c WHERE " + repeat("c.v > 0 AND ", 200) + "c.v < 5");
  REQUIRE(chain);
  auto docs =
      std::vector<json>{json::parse(R"({"id":"a","v":3})"), json::parse(R"({"id":"b","v":7})")};
  CHECK(json(chain->execute(docs)) == json::parse(R"(["a"])"));
  std::string list = "1";
  for (int i = 2; i <= 2000; ++i)
    list += ", " + std::to_string(i);
  auto in = sql::compile("SELECT VALUE c.id FROM c WHERE c.v IN (" + list + ")");
  REQUIRE(in);
  CHECK(json(in->execute(docs)) == json::parse(R"(["a","b"])"));
}
