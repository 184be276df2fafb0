#include "emulator/identity/client_assertion.hpp"
#include "test_pki.hpp"

using namespace bulkd::emulator::identity;
using nlohmann::json;

namespace {

constexpr int64_t now = 1700000000;
const std::string client = "cert-app";
const std::string endpoint =
    "https://127.0.0.1:8443/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token";

client_certificate load(const test_pki::certificate& cert) {
  auto loaded = client_certificate::from_pem(cert.pem);
  if (!loaded)
    FAIL(bulkd::render(loaded.error()));
  return std::move(*loaded);
}

} // namespace

TEST_CASE("client certificates load from PEM with their thumbprints", "[client_assertion]") {
  auto cert = test_pki::self_signed("cert-app");
  auto loaded = load(cert);
  CHECK(loaded.sha1() == test_pki::digest(EVP_sha1(), cert.der));
  CHECK(loaded.sha256() == test_pki::digest(EVP_sha256(), cert.der));
  CHECK(loaded.thumbprint_hex() == test_pki::hex(loaded.sha1()));
  CHECK(loaded.thumbprint_hex().size() == 40);

  auto bad = client_certificate::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
                                          "CERTIFICATE-----\n");
  REQUIRE_FALSE(bad);
  CHECK(bulkd::render(bad.error()) == "invalid_argument: no PEM certificate found");
  auto empty = client_certificate::from_pem("");
  REQUIRE_FALSE(empty);
  CHECK(bulkd::render(empty.error()) == "invalid_argument: no PEM certificate found");
}

TEST_CASE("a client assertion signed with the registered certificate is accepted",
          "[client_assertion]") {
  auto cert = test_pki::self_signed("cert-app");
  std::vector<client_certificate> certs{load(test_pki::self_signed("old")), load(cert)};
  auto payload = test_pki::assertion_payload(endpoint, client, now);

  auto header = test_pki::assertion_header(cert);
  auto ok = verify_client_assertion(test_pki::sign(header, payload, cert.key.pkey()), client, certs,
                                    {endpoint}, now + 5);
  CHECK(ok);
  CHECK(ok.thumbprint == certs[1].thumbprint_hex());

  // x5t#S256 alone, kid alone, PS256.
  json s256{{"alg", "RS256"},
            {"typ", "JWT"},
            {"x5t#S256", bulkd::base64url_encode(test_pki::digest(EVP_sha256(), cert.der))}};
  CHECK(verify_client_assertion(test_pki::sign(s256, payload, cert.key.pkey()), client, certs,
                                {endpoint}, now));
  json kid_only{{"alg", "RS256"}, {"kid", test_pki::hex(certs[1].sha1())}};
  CHECK(verify_client_assertion(test_pki::sign(kid_only, payload, cert.key.pkey()), client, certs,
                                {endpoint}, now));
  auto pss = test_pki::assertion_header(cert, "PS256");
  CHECK(verify_client_assertion(test_pki::sign(pss, payload, cert.key.pkey()), client, certs,
                                {endpoint}, now));
  // aud with a trailing slash, or as an array.
  auto slash = payload;
  slash["aud"] = endpoint + "/";
  CHECK(verify_client_assertion(test_pki::sign(header, slash, cert.key.pkey()), client, certs,
                                {endpoint}, now));
  auto array = payload;
  array["aud"] = json::array({"https://elsewhere", endpoint});
  CHECK(verify_client_assertion(test_pki::sign(header, array, cert.key.pkey()), client, certs,
                                {endpoint}, now));
}

TEST_CASE("bad client assertions are refused with the reason", "[client_assertion]") {
  auto cert = test_pki::self_signed("cert-app");
  auto stranger = test_pki::self_signed("stranger");
  std::vector<client_certificate> certs{load(cert)};
  auto header = test_pki::assertion_header(cert);
  auto payload = test_pki::assertion_payload(endpoint, client, now);
  auto check = [&](const json& h, const json& p, EVP_PKEY* key, int64_t at = now) {
    return verify_client_assertion(test_pki::sign(h, p, key), client, certs, {endpoint}, at);
  };

  auto unknown = check(test_pki::assertion_header(stranger), payload, stranger.key.pkey());
  CHECK(unknown.fault == jwt_fault::unknown_key);
  auto stranger_hex = test_pki::hex(test_pki::digest(EVP_sha1(), stranger.der));
  CHECK(unknown.detail ==
        "certificate " + stranger_hex + " is not registered for client 'cert-app'");
  CHECK(unknown.thumbprint == stranger_hex);

  // Names our certificate but is signed with another key.
  auto forged = check(header, payload, stranger.key.pkey());
  CHECK(forged.fault == jwt_fault::bad_signature);
  CHECK(forged.detail == "signature does not verify with certificate " + certs[0].thumbprint_hex());

  auto hs = header;
  hs["alg"] = "HS256";
  auto token = test_pki::sign(header, payload, cert.key.pkey());
  auto dot = token.find('.');
  auto hs_token = bulkd::base64url_encode(hs.dump()) + token.substr(dot);
  auto hs_check = verify_client_assertion(hs_token, client, certs, {endpoint}, now);
  CHECK(hs_check.fault == jwt_fault::bad_signature);
  CHECK(hs_check.detail == "alg 'HS256' is not RS256 or PS256");

  auto wrong_aud = payload;
  wrong_aud["aud"] = "https://login.microsoftonline.com/x/oauth2/v2.0/token";
  auto aud = check(header, wrong_aud, cert.key.pkey());
  CHECK(aud.fault == jwt_fault::wrong_audience);
  CHECK(aud.detail ==
        "audience \"https://login.microsoftonline.com/x/oauth2/v2.0/token\" is not this token "
        "endpoint");

  auto wrong_iss = payload;
  wrong_iss["iss"] = "other-app";
  auto iss = check(header, wrong_iss, cert.key.pkey());
  CHECK(iss.fault == jwt_fault::wrong_issuer);
  CHECK(iss.detail == "iss and sub must both be the client id 'cert-app'");
  auto wrong_sub = payload;
  wrong_sub["sub"] = "other-app";
  CHECK(check(header, wrong_sub, cert.key.pkey()).fault == jwt_fault::wrong_issuer);

  auto expired = check(header, payload, cert.key.pkey(), now + 600 + 60);
  CHECK(expired.fault == jwt_fault::expired);
  CHECK(expired.detail == "assertion expired at 1700000600, now is 1700000660");
  auto early = check(header, payload, cert.key.pkey(), now - 61);
  CHECK(early.fault == jwt_fault::not_yet_valid);
  CHECK(early.detail == "assertion is not valid before 1700000000, now is 1699999939");

  auto no_exp = payload;
  no_exp.erase("exp");
  auto missing = check(header, no_exp, cert.key.pkey());
  CHECK(missing.fault == jwt_fault::malformed);
  CHECK(missing.detail == "the assertion lacks aud, iss, sub or exp");

  json anonymous{{"alg", "RS256"}, {"typ", "JWT"}};
  auto nameless = check(anonymous, payload, cert.key.pkey());
  CHECK(nameless.fault == jwt_fault::malformed);
  CHECK(nameless.detail == "the header names no certificate (x5t, x5t#S256 or kid)");

  auto junk = verify_client_assertion("not-a-jwt", client, certs, {endpoint}, now);
  CHECK(junk.fault == jwt_fault::malformed);
  CHECK(junk.detail == "parse_error: malformed JWT: expected three dot-separated segments");

  // A client with no certificates at all.
  auto none = verify_client_assertion(token, client, {}, {endpoint}, now);
  CHECK(none.fault == jwt_fault::unknown_key);
}
