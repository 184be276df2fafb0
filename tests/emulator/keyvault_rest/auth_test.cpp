#include "emulator/keyvault/key_identifier.hpp"
#include "kv_server.hpp"

#include <regex>

using namespace kv_test;

namespace {

const std::string challenge =
    "Bearer authorization=\"%BASE%/00000000-0000-0000-0000-000000000000\", "
    "resource=\"https://vault.azure.net\"";

std::string expected_challenge(const kv_server& s) {
  auto out = challenge;
  out.replace(out.find("%BASE%"), 6, s.base);
  return out;
}

} // namespace

TEST_CASE("key vault: a request without a token gets the challenge", "[keyvault_rest][auth]") {
  kv_server s;
  auto c = s.client();
  auto r = c.Get(("/keys?" + api).c_str());
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(r->get_header_value("WWW-Authenticate") == expected_challenge(s));
  CHECK(r->get_header_value("Content-Type") == "application/json; charset=utf-8");
  auto body = json::parse(r->body);
  CHECK(body.at("error").at("code") == "Unauthorized");
  CHECK(body.at("error").at("message") == "AKV10000: Request is missing a Bearer or PoP token.");
  // Before anything else: no api-version and a bad body still get the challenge.
  auto post = c.Post("/keys/k/create", "{not json", "application/json");
  REQUIRE(post);
  CHECK(post->status == 401);
  CHECK(post->get_header_value("WWW-Authenticate") == expected_challenge(s));
  // Basic is not a bearer token.
  auto basic = c.Get(("/keys?" + api).c_str(), {{"Authorization", "Basic dXNlcjpwYXNz"}});
  REQUIRE(basic);
  CHECK(basic->status == 401);
}

TEST_CASE("key vault: a refused body leaves the connection usable", "[keyvault_rest][auth]") {
  kv_server s;
  auto token = s.token();
  auto c = s.client();
  std::string big(200000, ' ');
  big = "{\"kty\":\"EC\"}" + big;
  auto refused = c.Post(("/keys/k/create?" + api).c_str(), big, "application/json");
  REQUIRE(refused);
  CHECK(refused->status == 401);
  // Same keep-alive connection: the drained body must not be read as the next request.
  auto created = c.Post(("/keys/k/create?" + api).c_str(), {{"Authorization", "Bearer " + token}},
                        big, "application/json");
  REQUIRE(created);
  CHECK(created->status == 200);
  CHECK(json::parse(created->body).at("key").at("kty") == "EC");
}

TEST_CASE("key vault: expired, foreign and malformed tokens are refused", "[keyvault_rest][auth]") {
  kv_server s;
  auto expect_401 = [&](const std::string& token, const std::string& message) {
    kv_client c{s, token};
    auto r = c.get("/keys");
    CHECK(r.status == 401);
    CHECK(error_code(r) == "Unauthorized");
    CHECK(error_message(r) == message);
    CHECK(c.convert(c.http.Get(("/keys?" + api).c_str(), c.headers))
              .headers.find("WWW-Authenticate") != r.headers.end());
  };
  const std::string dev{id::dev_tenant};
  auto old = s.issuer->issue(dev, "bulkd-dev", "https://vault.azure.net", start_time - 7200);
  REQUIRE(old);
  expect_401(old->access_token, "The access token was refused (expired): token expired at " +
                                    std::to_string(old->expires_on) + ", now is " +
                                    std::to_string(start_time));
  auto storage = s.issuer->issue(dev, "bulkd-dev", "https://storage.azure.com", start_time);
  REQUIRE(storage);
  expect_401(storage->access_token, "The access token was refused (wrong_audience): audience "
                                    "'https://storage.azure.com' is not accepted here");
  auto foreign = s.issuer->issue("11111111-1111-1111-1111-111111111111", "bulkd-dev",
                                 "https://vault.azure.net", start_time);
  REQUIRE(foreign);
  expect_401(foreign->access_token,
             "The access token is from tenant '11111111-1111-1111-1111-111111111111', this vault "
             "is in '00000000-0000-0000-0000-000000000000'.");
  kv_client garbage{s, "abc"};
  auto r = garbage.get("/keys");
  CHECK(r.status == 401);
  CHECK_THAT(error_message(r), Catch::StartsWith("The access token was refused (malformed): "));

  // The token of another emulator instance (another authority) is not accepted here.
  kv_server other;
  kv_client stranger{s, other.token()};
  auto strange = stranger.get("/keys");
  CHECK(strange.status == 401);
  CHECK_THAT(error_message(strange),
             Catch::StartsWith("The access token was refused (wrong_issuer): issuer '" +
                               other.base + "/"));
}

TEST_CASE("key vault: api-version is required and checked", "[keyvault_rest][auth]") {
  kv_server s;
  kv_client c{s};
  auto missing = c.get_raw("/keys");
  CHECK(missing.status == 400);
  CHECK(error_code(missing) == "BadParameter");
  CHECK(error_message(missing) == "The 'api-version' query parameter is required.");
  auto unknown = c.get_raw("/keys?api-version=9.9");
  CHECK(unknown.status == 400);
  CHECK(error_code(unknown) == "BadParameter");
  CHECK(error_message(unknown) == "The specified version (9.9) is not recognized. Consider using "
                                  "the latest supported version (2025-07-01).");
  for (auto v : {"7.2", "7.4", "7.6", "7.6-preview.2", "2025-07-01"})
    CHECK(c.get_raw(std::string{"/keys?api-version="} + v).status == 200);
}

TEST_CASE("key vault: the fault hook answers Throttled", "[keyvault_rest][auth]") {
  kv_server s;
  std::atomic<int> calls{0};
  s.kv_ctx.fault = [&](const httplib::Request&) { return ++calls == 1 ? 429 : 0; };
  kv_client c{s};
  auto throttled = c.get("/keys");
  CHECK(throttled.status == 429);
  CHECK(error_code(throttled) == "Throttled");
  CHECK(error_message(throttled) == "Request was not processed because too many requests were "
                                    "received. Reason: VaultRequestTypeLimitReached");
  CHECK(c.get("/keys").status == 200);
  // Without throttle_retry_after_ms the 429 carries no retry hint.
  CHECK(throttled.headers.count("Retry-After") == 0);
  CHECK(throttled.headers.count("x-ms-retry-after-ms") == 0);
}

TEST_CASE("key vault: throttled answers carry Retry-After when configured",
          "[keyvault_rest][auth]") {
  kv_server s;
  std::atomic<int> calls{0};
  s.kv_ctx.fault = [&](const httplib::Request&) { return ++calls == 1 ? 429 : 0; };
  s.kv_ctx.throttle_retry_after_ms = 1200;
  kv_client c{s};
  auto throttled = c.get("/keys");
  REQUIRE(throttled.status == 429);
  auto header = [&](const char* name) {
    auto i = throttled.headers.find(name);
    return i == throttled.headers.end() ? std::string{"(none)"} : i->second;
  };
  // The JS SDK's throttling strategy retries a 429 only when one of these is present.
  CHECK(header("Retry-After") == "2");
  CHECK(header("x-ms-retry-after-ms") == "1200");
  CHECK(error_code(throttled) == "Throttled");
}

TEST_CASE("key vault: the SDK's body-less probe gets the challenge, then the call works",
          "[keyvault_rest][auth]") {
  kv_server s;
  auto c = s.client();
  // @azure/keyvault-keys sends its first request without Authorization and without the body.
  auto probe = c.Post(("/keys/probe/create?" + api).c_str(), "", "application/json");
  REQUIRE(probe);
  CHECK(probe->status == 401);
  CHECK(probe->get_header_value("WWW-Authenticate") == expected_challenge(s));
  auto token = s.token();
  auto real = c.Post(("/keys/probe/create?" + api).c_str(), {{"Authorization", "Bearer " + token}},
                     R"({"kty":"EC"})", "application/json");
  REQUIRE(real);
  CHECK(real->status == 200);
  // Unknown operations under the vault's paths: challenged first, then Key Vault's error shape.
  auto unknown = c.Get(("/keys/probe/a/b?" + api).c_str());
  REQUIRE(unknown);
  CHECK(unknown->status == 401);
  kv_client authorized{s, token};
  auto refused = authorized.post("/keys/probe/rotate-now", std::string{});
  CHECK(refused.status == 405);
  CHECK(error_code(refused) == "BadParameter");
  CHECK(error_message(refused) == "The operation POST /keys/probe/rotate-now is not supported.");
}

TEST_CASE("key vault: request ids are GUIDs and client request ids are echoed",
          "[keyvault_rest][auth]") {
  kv_server s;
  kv_client c{s};
  c.headers.emplace("x-ms-client-request-id", "my-request");
  auto r = c.get("/keys");
  auto id = r.headers.find("x-ms-request-id");
  REQUIRE(id != r.headers.end());
  CHECK(std::regex_match(id->second,
                         std::regex{"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                    "[0-9a-f]{12}"}));
  auto echoed = r.headers.find("x-ms-client-request-id");
  REQUIRE(echoed != r.headers.end());
  CHECK(echoed->second == "my-request");
  CHECK(kv::new_guid() != kv::new_guid());
}
