#include "emulator/cosmos/sql/value_order.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

using nlohmann::json;
namespace sql = bulkd::emulator::cosmos::sql;

TEST_CASE("cosmos sql values: numbers compare across representations", "[cosmos_sql]") {
  CHECK(sql::compare_numbers(json(1), json(1.0)) == 0);
  CHECK(sql::compare_numbers(json(-1), json(std::uint64_t{1})) == -1);
  CHECK(sql::compare_numbers(json(std::numeric_limits<std::uint64_t>::max()),
                             json(std::numeric_limits<std::int64_t>::max())) == 1);
  CHECK(sql::compare_numbers(json(std::int64_t{9007199254740993}),
                             json(std::int64_t{9007199254740992})) == 1);
  CHECK(sql::compare_numbers(json(2.5), json(3)) == -1);
}

TEST_CASE("cosmos sql values: scalar comparison is undefined across types", "[cosmos_sql]") {
  CHECK(sql::compare_scalars(json("a"), json("b")) == -1);
  CHECK(sql::compare_scalars(json("B"), json("a")) == -1);       // code points
  CHECK(sql::compare_scalars(json("\xc3\xa9"), json("z")) == 1); // U+00E9 > U+007A
  CHECK(sql::compare_scalars(json(false), json(true)) == -1);
  CHECK(sql::compare_scalars(json(nullptr), json(nullptr)) == 0);
  CHECK_FALSE(sql::compare_scalars(json(1), json("1")));
  CHECK_FALSE(sql::compare_scalars(json(nullptr), json(false)));
  CHECK_FALSE(sql::compare_scalars(json::array(), json::array()));
  CHECK(sql::equals(json::parse("[1,{\"a\":2}]"), json::parse("[1.0,{\"a\":2.0}]")) == true);
  CHECK(sql::equals(json::parse("{\"a\":1}"), json::parse("{\"a\":1,\"b\":2}")) == false);
  CHECK_FALSE(sql::equals(json::array(), json::object()));
  CHECK_FALSE(sql::equals(json(0), json(false)));
}

TEST_CASE("cosmos sql values: ORDER BY type order", "[cosmos_sql]") {
  std::optional<json> in_order[] = {
      std::nullopt,       json(nullptr), json(false),   json(true), json(-1),
      json(2.5),          json(3),       json(""),      json("A"),  json("a"),
      json::parse("[1]"), json::array(), json::object()};
  for (size_t i = 0; i < std::size(in_order); ++i) {
    for (size_t j = 0; j < std::size(in_order); ++j) {
      INFO(i << " vs " << j);
      int expected = i < j ? -1 : (i > j ? 1 : 0);
      CHECK(sql::order_compare(in_order[i], in_order[j]) == expected);
    }
  }
  CHECK(sql::order_compare(json(3), json(3.0)) == 0);
}
