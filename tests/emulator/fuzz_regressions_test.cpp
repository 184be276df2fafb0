// Inputs that scripts/fuzz found to break the emulator's request handling, kept as tests.

#include "clients/error.hpp"
#include "emulator/cosmos/patch.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

using namespace bulkd;
using namespace bulkd::emulator::cosmos;
using nlohmann::json;

namespace {

caf::expected<json> incr(json doc, const std::string& ops) {
  auto req = parse_patch_request(json::parse(ops));
  REQUIRE(req);
  return apply_patch(std::move(doc), req->operations);
}

} // namespace

TEST_CASE("fuzz: patch incr beyond int64 gives a double, not an overflow", "[patch][fuzz]") {
  constexpr auto max = std::numeric_limits<int64_t>::max();
  auto up = incr(json{{"n", max}}, R"([{"op":"incr","path":"/n","value":1}])");
  REQUIRE(up);
  CHECK((*up)["n"].is_number_float());
  CHECK((*up)["n"].get<double>() == 9223372036854775808.0);

  auto down = incr(json{{"n", std::numeric_limits<int64_t>::min()}},
                   R"([{"op":"incr","path":"/n","value":-1}])");
  REQUIRE(down);
  CHECK((*down)["n"].is_number_float());
  CHECK((*down)["n"].get<double>() == -9223372036854775808.0);

  // Unsigned values above INT64_MAX were converted to negative integers.
  auto big = incr(json{{"n", 1}}, R"([{"op":"incr","path":"/n","value":18446744073709551615}])");
  REQUIRE(big);
  CHECK((*big)["n"].get<double>() == 18446744073709551616.0);

  // Integers that fit stay integers.
  auto small = incr(json{{"n", max - 1}}, R"([{"op":"incr","path":"/n","value":1}])");
  REQUIRE(small);
  CHECK((*small)["n"].is_number_integer());
  CHECK((*small)["n"].get<int64_t>() == max);

  auto inf = incr(json{{"n", 1.7e308}}, R"([{"op":"incr","path":"/n","value":1.7e308}])");
  REQUIRE_FALSE(inf);
  CHECK(render(inf.error()) ==
        "invalid_argument: The incr operation on '/n' overflows the range of numbers");
}
