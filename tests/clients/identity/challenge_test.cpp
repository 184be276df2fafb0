#include "clients/error.hpp"
#include "clients/identity/challenge.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::identity;

namespace {

std::string failure(std::string_view header) {
  auto r = parse_bearer_challenge(header);
  REQUIRE_FALSE(r);
  return render(r.error());
}

} // namespace

TEST_CASE("the real service's challenge", "[identity][challenge]") {
  auto c = parse_bearer_challenge(
      R"(Bearer authorization="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net")");
  REQUIRE(c);
  CHECK(c->authorization == "https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47");
  CHECK(c->tenant == "72f988bf-86f1-41af-91ab-2d7cd011db47");
  CHECK(c->resource == "https://vault.azure.net");
  CHECK(c->scope == "https://vault.azure.net/.default");
  CHECK(c->error.empty());
  CHECK(c->claims.empty());
  auto ms = parse_bearer_challenge(
      R"(Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net")");
  REQUIRE(ms);
  CHECK(ms->tenant == "00000000-0000-0000-0000-000000000000");
}

TEST_CASE("challenge variants", "[identity][challenge]") {
  SECTION("authorization_uri and scope, as other emulators send them") {
    auto c = parse_bearer_challenge(
        R"(Bearer authorization_uri="https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/authorize", scope="https://vault.azure.net/.default")");
    REQUIRE(c);
    CHECK(c->tenant == "contoso.onmicrosoft.com");
    CHECK(c->resource.empty());
    CHECK(c->scope == "https://vault.azure.net/.default");
  }
  SECTION("resource wins over scope; a trailing slash is dropped") {
    auto c = parse_bearer_challenge(
        R"(Bearer authorization="https://127.0.0.1:8443/t1", scope="https://x/.default", resource="https://vault.azure.net/", tenantId="ignored")");
    REQUIRE(c);
    CHECK(c->tenant == "t1");
    CHECK(c->scope == "https://vault.azure.net/.default");
  }
  SECTION("case-insensitive scheme and names, unquoted values, no commas, odd spacing") {
    auto c = parse_bearer_challenge(
        R"(  bearer   Authorization = https://login.windows.net/t2   RESOURCE=https://vault.azure.net)");
    REQUIRE(c);
    CHECK(c->tenant == "t2");
    CHECK(c->scope == "https://vault.azure.net/.default");
  }
  SECTION("commas and escapes inside quotes") {
    auto c = parse_bearer_challenge(
        R"(Bearer realm="a, b=\"c\"", authorization="https://login.windows.net/t3",resource="https://vault.azure.net", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ==")");
    REQUIRE(c);
    CHECK(c->tenant == "t3");
    CHECK(c->error == "insufficient_claims");
    CHECK(c->claims == "eyJhY2Nlc3NfdG9rZW4iOnt9fQ==");
  }
  SECTION("among other challenges") {
    auto c = parse_bearer_challenge(
        R"(Basic realm="x", PoP nonce="abc", Bearer authorization="https://login.windows.net/t4", resource="https://vault.azure.net")");
    REQUIRE(c);
    CHECK(c->tenant == "t4");
    auto token68 = parse_bearer_challenge(
        R"(Negotiate dGVzdA==, Bearer authorization="https://login.windows.net/t5", resource="https://vault.azure.net")");
    REQUIRE(token68);
    CHECK(token68->tenant == "t5");
  }
}

TEST_CASE("all challenges of a header", "[identity][challenge]") {
  auto all = parse_www_authenticate(
      R"(Basic realm="assumed-identity", Negotiate a/b+c==, Bearer x=1 y="2")");
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].scheme == "Basic");
  CHECK((*all)[0].param("REALM") == "assumed-identity");
  CHECK((*all)[1].scheme == "Negotiate");
  CHECK((*all)[1].param("") == "a/b+c==");
  CHECK((*all)[2].param("x") == "1");
  CHECK((*all)[2].param("y") == "2");
  CHECK((*all)[2].param("z").empty());
}

TEST_CASE("bad challenges are refused with a reason", "[identity][challenge]") {
  CHECK(failure("") == "parse_error: empty WWW-Authenticate header");
  CHECK(failure(" , ") == "parse_error: empty WWW-Authenticate header");
  CHECK(failure(R"(Basic realm="x")") ==
        "parse_error: invalid Bearer challenge: no Bearer challenge in \"Basic realm=\"x\"\"");
  CHECK(failure(R"(Bearer resource="https://vault.azure.net")") ==
        "parse_error: invalid Bearer challenge: missing authorization (or authorization_uri)");
  CHECK(
      failure(
          R"(Bearer authorization="https://login.windows.net/t", resource="https://vault.azure.net)") ==
      "parse_error: invalid WWW-Authenticate header at offset 85: unterminated quoted value of "
      "parameter \"resource\"");
  CHECK(failure(
            R"(Bearer authorization="login.windows.net/t", resource="https://vault.azure.net")") ==
        "parse_error: invalid Bearer challenge: authorization \"login.windows.net/t\" is not an "
        "http(s) URL");
  CHECK(
      failure(
          R"(Bearer authorization="https://login.windows.net/", resource="https://vault.azure.net")") ==
      "parse_error: invalid Bearer challenge: authorization \"https://login.windows.net/\" names "
      "no tenant");
  CHECK(failure(R"(Bearer authorization="https://login.windows.net/a%2F..", resource="r")") ==
        "parse_error: invalid Bearer challenge: invalid tenant id \"a%2F..\" (expected letters, "
        "digits, '.', '-', '_')");
  CHECK(failure(R"(Bearer authorization="https://login.windows.net/t")") ==
        "parse_error: invalid Bearer challenge: neither resource nor scope");
  CHECK(
      failure(
          R"(Bearer authorization="https://login.windows.net/t", authorization="https://evil/t2", resource="r")") ==
      "parse_error: invalid WWW-Authenticate header at offset 52: parameter \"authorization\" "
      "appears twice");
  CHECK(failure(R"(Bearer authorization=, resource="r")") ==
        "parse_error: invalid WWW-Authenticate header at offset 21: missing value of parameter "
        "\"authorization\"");
  CHECK(failure(R"(Bearer ="x")") ==
        "parse_error: invalid WWW-Authenticate header at offset 7: expected a parameter name");
  CHECK(failure(R"("Bearer")") ==
        "parse_error: invalid WWW-Authenticate header at offset 0: expected an authentication "
        "scheme");
}

TEST_CASE("the challenge's resource must belong to the vault", "[identity][challenge]") {
  auto c = parse_bearer_challenge(
      R"(Bearer authorization="https://login.windows.net/t", resource="https://vault.azure.net")");
  REQUIRE(c);
  CHECK_FALSE(verify_challenge_scope(*c, "myvault.vault.azure.net"));
  CHECK_FALSE(verify_challenge_scope(*c, "MyVault.Vault.Azure.Net"));
  CHECK(render(verify_challenge_scope(*c, "myvault.vault.azure.cn")) ==
        "unauthorized: challenge resource \"https://vault.azure.net/.default\" does not belong to "
        "the vault host \"myvault.vault.azure.cn\"");
  CHECK(render(verify_challenge_scope(*c, "evilvault.azure.net")) ==
        "unauthorized: challenge resource \"https://vault.azure.net/.default\" does not belong to "
        "the vault host \"evilvault.azure.net\"");
  auto local = parse_bearer_challenge(
      R"(Bearer authorization="http://127.0.0.1:8081/t", resource="https://127.0.0.1")");
  REQUIRE(local);
  CHECK_FALSE(verify_challenge_scope(*local, "127.0.0.1"));
  auto no_url = parse_bearer_challenge(R"(Bearer authorization="https://l/t", scope="vault")");
  REQUIRE(no_url);
  CHECK(render(verify_challenge_scope(*no_url, "v.vault.azure.net")) ==
        "unauthorized: challenge scope \"vault\" is not an http(s) URL");
}

TEST_CASE("the challenge of a 401 answer", "[identity][challenge]") {
  http_response resp;
  resp.status = 401;
  resp.headers.add("WWW-Authenticate", R"(Basic realm="x")");
  resp.headers.add(
      "www-authenticate",
      R"(Bearer authorization="https://login.windows.net/t9", resource="https://vault.azure.net")");
  auto c = challenge_of(resp);
  REQUIRE(c);
  CHECK(c->tenant == "t9");
  auto reason = [](const http_response& r) {
    auto x = challenge_of(r);
    REQUIRE_FALSE(x);
    return render(x.error());
  };
  http_response bare;
  bare.status = 401;
  CHECK(reason(bare) == "parse_error: 401 without a WWW-Authenticate header");
  http_response forbidden;
  forbidden.status = 403;
  CHECK(reason(forbidden) == "parse_error: expected a 401 with a challenge, got 403");
}
