#include "../keyvault_rest/kv_server.hpp"
#include "emulator/identity/aad_error.hpp"

using namespace kv_test;

namespace {

const std::string dev{id::dev_tenant};

json body_of(const httplib::Result& r) {
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->get_header_value("Content-Type") == "application/json; charset=utf-8");
  return json::parse(r->body);
}

} // namespace

TEST_CASE("identity: the token endpoint issues tokens the key vault accepts", "[identity_rest]") {
  kv_server s;
  auto c = s.client();
  auto r = c.Post(("/" + dev + "/oauth2/v2.0/token?client-request-id=abc").c_str(),
                  "grant_type=client_credentials&client_id=bulkd-dev&client_secret=bulkd-dev-"
                  "secret&scope=https%3A%2F%2Fvault.azure.net%2F.default&x-client-SKU=test",
                  "application/x-www-form-urlencoded;charset=utf-8");
  REQUIRE(r);
  CHECK(r->status == 200);
  auto body = body_of(r);
  CHECK(body.at("token_type") == "Bearer");
  CHECK(body.at("expires_in") == 3600);
  auto check = s.issuer->verify(body.at("access_token").get<std::string>(),
                                {"https://vault.azure.net"}, start_time);
  REQUIRE(check);
  CHECK(check.claims.client_id == "bulkd-dev");
  kv_client kv{s, body.at("access_token").get<std::string>()};
  CHECK(kv.get("/keys").status == 200);
}

TEST_CASE("identity: token errors have AAD's shape", "[identity_rest]") {
  kv_server s;
  auto c = s.client();
  auto wrong = c.Post(("/" + dev + "/oauth2/v2.0/token").c_str(),
                      {{"client-request-id", "11111111-2222-3333-4444-555555555555"}},
                      "grant_type=client_credentials&client_id=bulkd-dev&client_secret=nope&scope="
                      "https%3A%2F%2Fvault.azure.net%2F.default",
                      "application/x-www-form-urlencoded");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  auto body = body_of(wrong);
  CHECK(body.at("error") == "invalid_client");
  CHECK(body.at("error_codes") == json({7000215}));
  CHECK(body.at("correlation_id") == "11111111-2222-3333-4444-555555555555");
  CHECK(body.at("error_uri") == s.base + "/error?code=7000215");
  CHECK(body.at("timestamp") == id::aad_timestamp(start_time));

  auto missing = c.Post(("/" + dev + "/oauth2/v2.0/token").c_str(), "client_id=bulkd-dev",
                        "application/x-www-form-urlencoded");
  REQUIRE(missing);
  CHECK(missing->status == 400);
  CHECK(body_of(missing).at("error") == "invalid_request");
}

TEST_CASE("identity: OpenID configuration and keys for MSAL", "[identity_rest]") {
  kv_server s;
  auto c = s.client();
  auto config = c.Get(("/" + dev + "/v2.0/.well-known/openid-configuration").c_str());
  REQUIRE(config);
  CHECK(config->status == 200);
  auto doc = body_of(config);
  CHECK(doc.at("token_endpoint") == s.base + "/" + dev + "/oauth2/v2.0/token");
  CHECK(doc.at("issuer") == s.base + "/" + dev + "/v2.0");
  CHECK(doc.contains("authorization_endpoint"));
  auto jwks_uri = doc.at("jwks_uri").get<std::string>();
  REQUIRE(jwks_uri.rfind(s.base, 0) == 0);
  auto keys = c.Get(jwks_uri.substr(s.base.size()).c_str());
  REQUIRE(keys);
  CHECK(keys->status == 200);
  auto set = body_of(keys);
  REQUIRE(set.at("keys").size() == 1);
  CHECK(set.at("keys")[0].at("kid") == s.issuer->key_id());

  auto unknown = c.Get("/99999999-0000-0000-0000-000000000000/v2.0/.well-known/"
                       "openid-configuration");
  REQUIRE(unknown);
  CHECK(unknown->status == 400);
  auto err = body_of(unknown);
  CHECK(err.at("error") == "invalid_tenant");
  CHECK(err.at("error_codes") == json({90002}));
  CHECK_THAT(err.at("error_description").get<std::string>(),
             Catch::StartsWith("AADSTS90002: Tenant '99999999-0000-0000-0000-000000000000' not "
                               "found."));

  auto discovery =
      c.Get(("/common/discovery/instance?api-version=1.1&authorization_endpoint=" + s.base + "/" +
             dev + "/oauth2/v2.0/authorize")
                .c_str());
  REQUIRE(discovery);
  CHECK(discovery->status == 200);
  CHECK(body_of(discovery).at("tenant_discovery_endpoint") ==
        s.base + "/" + dev + "/v2.0/.well-known/openid-configuration");
}

TEST_CASE("identity: IMDS-style managed identity tokens", "[identity_rest]") {
  kv_server s;
  auto c = s.client();
  const std::string path = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                           "https%3A%2F%2Fvault.azure.net";
  auto ok = c.Get(path.c_str(), {{"Metadata", "true"}});
  REQUIRE(ok);
  CHECK(ok->status == 200);
  auto body = body_of(ok);
  CHECK(body.at("token_type") == "Bearer");
  CHECK(body.at("resource") == "https://vault.azure.net");
  CHECK(body.at("client_id") == "bulkd-dev");
  kv_client kv{s, body.at("access_token").get<std::string>()};
  CHECK(kv.get("/keys").status == 200);

  auto no_header = c.Get(path.c_str());
  REQUIRE(no_header);
  CHECK(no_header->status == 400);
  auto err = body_of(no_header);
  CHECK(err.at("error") == "invalid_request");
  CHECK(err.at("error_description") == "Required metadata header not specified");

  auto no_resource =
      c.Get("/metadata/identity/oauth2/token?api-version=2018-02-01", {{"Metadata", "true"}});
  REQUIRE(no_resource);
  CHECK(no_resource->status == 400);
  CHECK(body_of(no_resource).at("error_description") == "Required audience parameter not "
                                                        "specified");
}
