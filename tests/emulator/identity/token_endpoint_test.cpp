#include "emulator/identity/token_endpoint.hpp"
#include "test_pki.hpp"

using namespace bulkd::emulator::identity;
using nlohmann::json;

namespace {

constexpr int64_t now = 1700000000;
const std::string authority = "https://127.0.0.1:8443";
const std::string dev = "00000000-0000-0000-0000-000000000000";
const std::string token_url = authority + "/" + dev + "/oauth2/v2.0/token";
const std::string scope = "&scope=https%3A%2F%2Fvault.azure.net%2F.default";

aad_error_context context() {
  return {authority, "11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000",
          now};
}

struct fixture {
  client_registry clients;
  token_issuer issuer;
  test_pki::certificate cert = test_pki::self_signed("cert-app");

  fixture() : issuer(*token_issuer::make(test_pki::rsa_key(), {authority, 3600, 60})) {
    auto loaded = client_certificate::from_pem(cert.pem);
    REQUIRE(loaded);
    REQUIRE_FALSE(clients.add({dev, "cert-app", std::nullopt, {*loaded}}));
  }

  token_endpoint_response post(const std::string& tenant, const std::string& body) {
    return token_endpoint{clients, issuer}.handle(tenant, body, {token_url}, context());
  }
};

int64_t code_of(const token_endpoint_response& r) {
  return r.body.at("error_codes").at(0).get<int64_t>();
}

} // namespace

TEST_CASE("the development client gets a token that verifies", "[token_endpoint]") {
  fixture f;
  auto r = f.post(dev, "grant_type=client_credentials&client_id=bulkd-dev&client_secret=bulkd-dev-"
                       "secret" +
                           scope);
  REQUIRE(r.status == 200);
  CHECK(r.body.at("token_type") == "Bearer");
  CHECK(r.body.at("expires_in") == 3600);
  CHECK(r.body.at("ext_expires_in") == 3600);
  auto check = f.issuer.verify(r.body.at("access_token").get<std::string>(),
                               {"https://vault.azure.net"}, now + 1);
  REQUIRE(check);
  CHECK(check.claims.client_id == "bulkd-dev");
  CHECK(check.claims.tenant == dev);
}

TEST_CASE("wrong secrets, tenants and clients are refused like AAD does", "[token_endpoint]") {
  fixture f;
  auto wrong =
      f.post(dev, "grant_type=client_credentials&client_id=bulkd-dev&client_secret=nope" + scope);
  CHECK(wrong.status == 401);
  CHECK(wrong.body.at("error") == "invalid_client");
  CHECK(code_of(wrong) == 7000215);
  CHECK(wrong.body.at("trace_id") == "11111111-2222-3333-4444-555555555555");

  auto tenant = f.post("99999999-0000-0000-0000-000000000000",
                       "grant_type=client_credentials&client_id=bulkd-dev&client_secret=x" + scope);
  CHECK(tenant.status == 400);
  CHECK(tenant.body.at("error") == "invalid_request");
  CHECK(code_of(tenant) == 90002);

  auto unknown =
      f.post(dev, "grant_type=client_credentials&client_id=ghost&client_secret=x" + scope);
  CHECK(unknown.status == 400);
  CHECK(unknown.body.at("error") == "unauthorized_client");
  CHECK(code_of(unknown) == 700016);
  CHECK_THAT(unknown.body.at("error_description").get<std::string>(),
             Catch::StartsWith("AADSTS700016: Application with identifier 'ghost' was not found "
                               "in the directory '" +
                               dev + "'."));

  // A certificate-only client cannot use a secret.
  auto cert_secret = f.post(dev, "grant_type=client_credentials&client_id=cert-app&client_"
                                 "secret=x" +
                                     scope);
  CHECK(cert_secret.status == 401);
  CHECK(code_of(cert_secret) == 7000215);

  auto bad_body = f.post(dev, "grant_type=password&client_id=bulkd-dev");
  CHECK(bad_body.status == 400);
  CHECK(bad_body.body.at("error") == "unsupported_grant_type");
}

TEST_CASE("a certificate client authenticates with a client assertion", "[token_endpoint]") {
  fixture f;
  auto assertion_body = [&](const std::string& assertion) {
    return "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%"
           "3Aclient-assertion-type%3Ajwt-bearer&client_id=cert-app" +
           scope + "&client_assertion=" + assertion;
  };
  auto good =
      test_pki::sign(test_pki::assertion_header(f.cert),
                     test_pki::assertion_payload(token_url, "cert-app", now), f.cert.key.pkey());
  auto r = f.post(dev, assertion_body(good));
  REQUIRE(r.status == 200);
  auto check = f.issuer.verify(r.body.at("access_token").get<std::string>(),
                               {"https://vault.azure.net"}, now);
  REQUIRE(check);
  CHECK(check.claims.client_id == "cert-app");

  auto stranger = test_pki::self_signed("stranger");
  auto forged =
      test_pki::sign(test_pki::assertion_header(f.cert),
                     test_pki::assertion_payload(token_url, "cert-app", now), stranger.key.pkey());
  auto refused = f.post(dev, assertion_body(forged));
  CHECK(refused.status == 401);
  CHECK(refused.body.at("error") == "invalid_client");
  CHECK(code_of(refused) == 700027);

  auto expired = test_pki::sign(test_pki::assertion_header(f.cert),
                                test_pki::assertion_payload(token_url, "cert-app", now - 3600),
                                f.cert.key.pkey());
  auto late = f.post(dev, assertion_body(expired));
  CHECK(late.status == 401);
  CHECK(code_of(late) == 700024);

  auto elsewhere = test_pki::sign(test_pki::assertion_header(f.cert),
                                  test_pki::assertion_payload("https://login.microsoftonline.com/"
                                                              "x/oauth2/v2.0/token",
                                                              "cert-app", now),
                                  f.cert.key.pkey());
  CHECK(code_of(f.post(dev, assertion_body(elsewhere))) == 50012);

  auto junk = f.post(dev, assertion_body("junk"));
  CHECK(junk.status == 400);
  CHECK(junk.body.at("error") == "invalid_request");
  CHECK(code_of(junk) == 50027);
}
