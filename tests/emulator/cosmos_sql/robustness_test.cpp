#include "documents.hpp"
#include "emulator/cosmos/sql/compiled_query.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;
namespace sql = bulkd::emulator::cosmos::sql;

// Every prefix of a query, and every one-character deletion, either compiles (and then runs) or
// fails with a message; none crashes or hangs.
TEST_CASE("cosmos sql: truncated and damaged queries fail cleanly", "[cosmos_sql]") {
  const char* queries[] = {
      "SELECT DISTINCT TOP 5 c.id AS i, c['a b'], c.tags[1] FROM root c WHERE (c.v >= @min OR "
      "NOT IS_DEFINED(c.v)) AND c.pk IN ('p1', \"p2\") ORDER BY c.name DESC",
      "SELECT VALUE COUNT(1) FROM c WHERE STARTSWITH(c.name, 'a\\u00e9\\'', true) AND c.v "
      "NOT BETWEEN -1.5e2 AND .5",
      "select * from c where array_contains(@ids, c.id, false) offset @o limit 10",
  };
  auto params = json::parse(R"([{"name":"@min","value":1},{"name":"@ids","value":["1"]},
                                {"name":"@o","value":0}])");
  auto docs = sql::test::documents();
  size_t compiled = 0;
  size_t failed = 0;
  auto attempt = [&](const std::string& text) {
    INFO(text);
    auto q = sql::compile(text, params);
    if (q) {
      ++compiled;
      q->execute(docs);
    } else {
      ++failed;
      CHECK_FALSE(sql::error_message(q.error()).empty());
    }
  };
  for (std::string full : queries) {
    REQUIRE(sql::compile(full, params));
    for (size_t n = 0; n <= full.size(); ++n)
      attempt(full.substr(0, n));
    for (size_t i = 0; i < full.size(); ++i)
      attempt(full.substr(0, i) + full.substr(i + 1));
  }
  CHECK(compiled > 0);
  CHECK(failed > 0);
}
