#include "emulator/cosmos/sql/query_parameters.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;
namespace sql = bulkd::emulator::cosmos::sql;

TEST_CASE("cosmos sql parameters: names map to values", "[cosmos_sql]") {
  auto p = sql::parse_parameters(json::parse(
      R"([{"name":"@a","value":1},{"name":"@b","value":{"x":[1]}},{"name":"@c"},
        {"name":"@d","value":null}])"));
  REQUIRE(p);
  REQUIRE(p->size() == 4);
  CHECK(p->at("@a") == json(1));
  CHECK(p->at("@b") == json::parse(R"({"x":[1]})"));
  CHECK_FALSE(p->at("@c").has_value());
  CHECK(p->at("@d") == json(nullptr));
}

TEST_CASE("cosmos sql parameters: none", "[cosmos_sql]") {
  auto none = sql::parse_parameters(json());
  REQUIRE(none);
  CHECK(none->empty());
  auto empty = sql::parse_parameters(json::array());
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("cosmos sql parameters: bad input", "[cosmos_sql]") {
  struct bad {
    const char* json_text;
    const char* message;
  };
  const bad cases[] = {
      {R"("@x")", "parameters must be an array"},
      {R"([[]])", "parameter 0 must be an object"},
      {R"([{"value":1}])", "parameter 0 needs a string \"name\""},
      {R"([{"name":5,"value":1}])", "parameter 0 needs a string \"name\""},
      {R"([{"name":"@","value":1}])", "parameter name must start with '@': \"@\""},
      {R"([{"name":"","value":1}])", "parameter name must start with '@': \"\""},
      {R"([{"name":"@a"},{"name":"@a"}])", "duplicate parameter @a"},
  };
  for (const auto& c : cases) {
    INFO(c.json_text);
    auto p = sql::parse_parameters(json::parse(c.json_text));
    REQUIRE_FALSE(p);
    CHECK(sql::error_message(p.error()) == c.message);
  }
}
