#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/http_date.hpp"
#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/resource_path.hpp"
#include "clients/cosmos/rid.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

using namespace bulkd::cosmos;

namespace {

// Random strings over an alphabet rich in the characters the parsers care about.
std::string garbage(std::mt19937& rng) {
  static constexpr std::string_view alphabet =
      "/%=&,;'\"\\[]{}:.-+ 0123456789aAfFzZ=dbscolsGMT\xC3\xA9";
  std::uniform_int_distribution<size_t> length(0, 40);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  auto n = length(rng);
  for (size_t i = 0; i < n; ++i)
    out += alphabet[pick(rng)];
  return out;
}

} // namespace

TEST_CASE("parsers survive garbage input", "[cosmos][garbage]") {
  std::mt19937 rng{12345};
  auto key = parse_master_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  REQUIRE(key);
  partition_key_definition def;
  def.paths = {"/a/b"};
  size_t accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    auto text = garbage(rng);
    INFO(text);
    accepted += parse_resource_path(text) ? 1 : 0;
    accepted += parse_authorization(text) ? 1 : 0;
    CHECK(verify_master_authorization(text, *key, "GET", "", "", "x"));
    accepted += parse_rid(text) ? 1 : 0;
    accepted += parse_http_date(text) ? 1 : 0;
    accepted += parse_partition_key_path(text) ? 1 : 0;
    if (auto pk = parse_partition_key_header(text)) {
      ++accepted;
      CHECK(parse_partition_key_header(to_header(*pk)) == *pk);
      CHECK_FALSE(epk_v1(*pk).empty() != !pk->empty());
      CHECK(epk_v2(*pk).size() == (pk->empty() ? 0u : 32u));
    }
    accepted += extract_partition_key(std::string_view{text}, def) ? 1 : 0;
    // Arbitrary bytes as a string key hash without trouble.
    CHECK(epk_v1({text}).substr(0, 2) == "05");
    CHECK(epk_v2({text}).size() == 32);
  }
  CHECK(accepted > 0);
}
