// Inputs that scripts/fuzz found to break the client parsers, kept as tests.

#include "clients/cosmos/account_properties.hpp"
#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/container_properties.hpp"
#include "clients/cosmos/feed_page.hpp"
#include "clients/cosmos/partition_key_range.hpp"
#include "clients/error.hpp"
#include "clients/identity/authority.hpp"
#include "clients/identity/challenge.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::identity;

TEST_CASE("fuzz: a number beyond double's range in a Cosmos body is a parse error, not a crash",
          "[cosmos][fuzz]") {
  // nlohmann throws out_of_range (406) for it, which the body parser did not catch.
  auto account = cosmos::parse_account_properties(R"({"id":"a","x":5555e2777})");
  REQUIRE_FALSE(account);
  CHECK(render(account.error()).find(": the body holds a number out of range") !=
        std::string::npos);
  CHECK(render(account.error()).rfind("parse_error: ", 0) == 0);
  CHECK_FALSE(cosmos::parse_container_properties("-1e400"));
  http_response resp;
  resp.status = 200;
  resp.body = R"({"Documents":[{"id":"a","n":1e999}],"_count":1})";
  CHECK_FALSE(cosmos::parse_feed_page(resp));
  CHECK_FALSE(cosmos::parse_pkranges(resp));
  resp.body = R"([{"statusCode":200,"requestCharge":1e309}])";
  CHECK_FALSE(cosmos::parse_batch_response(resp, 1));
}

TEST_CASE("fuzz: tenant ids '.' and '..' cannot leave the token endpoint's path",
          "[identity][fuzz]") {
  // They passed the character check, so token_endpoint(host, "..") was "host/../oauth2/...".
  CHECK(render(check_tenant("..")) ==
        "invalid_argument: invalid tenant id \"..\" (a path segment, not a tenant)");
  CHECK(render(check_tenant(".")) ==
        "invalid_argument: invalid tenant id \".\" (a path segment, not a tenant)");
  CHECK_FALSE(check_tenant("contoso.onmicrosoft.com"));
  CHECK_FALSE(check_tenant("..."));

  auto forged = parse_bearer_challenge(
      R"(Bearer authorization="https://login.microsoftonline.com/..", resource="https://vault.azure.net")");
  REQUIRE_FALSE(forged);
  CHECK(render(forged.error()).find("invalid tenant id \"..\"") != std::string::npos);
  auto allowed = resolve_tenant("tenant-1", "..", {"*"});
  REQUIRE_FALSE(allowed);
  CHECK(render(allowed.error()) ==
        "invalid_argument: invalid tenant id \"..\" (a path segment, not a tenant)");
}
