#include "emulator/identity/token_issuer.hpp"
#include "test_pki.hpp"

using namespace bulkd::emulator::identity;
using nlohmann::json;

namespace {

constexpr int64_t now = 1700000000;
const std::string tenant = "00000000-0000-0000-0000-000000000000";
const std::string vault = "https://vault.azure.net";

token_issuer make_issuer(bulkd::emulator::keyvault::key_material key) {
  auto issuer = token_issuer::make(std::move(key), {"https://127.0.0.1:8443/", 3600, 60});
  if (!issuer)
    FAIL(bulkd::render(issuer.error()));
  return std::move(*issuer);
}

std::string issue(const token_issuer& issuer, const std::string& aud = vault) {
  auto token = issuer.issue(tenant, "bulkd-dev", aud, now);
  if (!token)
    FAIL(bulkd::render(token.error()));
  return token->access_token;
}

std::vector<std::string> segments(const std::string& token) {
  std::vector<std::string> out;
  size_t start = 0;
  for (auto dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
    out.push_back(token.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(token.substr(start));
  return out;
}

json decode(const std::string& segment) {
  auto bytes = bulkd::base64url_decode(segment);
  REQUIRE(bytes);
  return json::parse(*bytes);
}

} // namespace

TEST_CASE("scopes map to audiences without /.default", "[token_issuer]") {
  CHECK(audience_of_scope("https://vault.azure.net/.default") == "https://vault.azure.net");
  CHECK(audience_of_scope("https://vault.azure.net") == "https://vault.azure.net");
  CHECK(object_id_for(tenant, "bulkd-dev") == object_id_for(tenant, "bulkd-dev"));
  CHECK(object_id_for(tenant, "bulkd-dev").size() == 36);
  CHECK(object_id_for(tenant, "bulkd-dev") != object_id_for(tenant, "other"));
}

TEST_CASE("the key id is the RFC 7638 thumbprint", "[token_issuer]") {
  // RFC 7638 §3.1 example.
  json jwk{{"kty", "RSA"},
           {"e", "AQAB"},
           {"n",
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
            "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ"
            "5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbIS"
            "D08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-k"
            "EgU8awapJzKnqDKgw"}};
  CHECK(rsa_jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST_CASE("issued tokens look like AAD app tokens and verify", "[token_issuer]") {
  auto issuer = make_issuer(test_pki::rsa_key());
  auto issued = issuer.issue(tenant, "bulkd-dev", vault, now);
  REQUIRE(issued);
  CHECK(issued->expires_in == 3600);
  CHECK(issued->expires_on == now + 3600);
  auto parts = segments(issued->access_token);
  REQUIRE(parts.size() == 3);
  auto header = decode(parts[0]);
  CHECK(header == json{{"typ", "JWT"}, {"alg", "RS256"}, {"kid", issuer.key_id()}});
  auto claims = decode(parts[1]);
  CHECK(claims.at("aud") == vault);
  CHECK(claims.at("iss") == "https://127.0.0.1:8443/" + tenant + "/v2.0");
  CHECK(claims.at("tid") == tenant);
  CHECK(claims.at("appid") == "bulkd-dev");
  CHECK(claims.at("oid") == object_id_for(tenant, "bulkd-dev"));
  CHECK(claims.at("sub") == claims.at("oid"));
  CHECK(claims.at("iat") == now);
  CHECK(claims.at("nbf") == now);
  CHECK(claims.at("exp") == now + 3600);

  auto check = issuer.verify(issued->access_token, {vault}, now + 10);
  REQUIRE(check);
  CHECK(check.claims.tenant == tenant);
  CHECK(check.claims.client_id == "bulkd-dev");
  CHECK(check.claims.audience == vault);
  CHECK(check.claims.expires == now + 3600);

  auto jwks = issuer.jwks();
  REQUIRE(jwks.at("keys").size() == 1);
  CHECK(jwks["keys"][0].at("kid") == issuer.key_id());
  CHECK(jwks["keys"][0].at("alg") == "RS256");
  CHECK(jwks["keys"][0].at("n").is_string());
}

TEST_CASE("audiences match with and without a trailing slash", "[token_issuer]") {
  auto issuer = make_issuer(test_pki::rsa_key());
  CHECK(issuer.verify(issue(issuer), {"https://vault.azure.net/"}, now));
  CHECK(issuer.verify(issue(issuer, "https://vault.azure.net/"), {vault}, now));
  CHECK(issuer.verify(issue(issuer), {"https://VAULT.azure.net"}, now));
  auto wrong =
      issuer.verify(issue(issuer), {"https://management.azure.com", "https://localhost"}, now);
  CHECK(wrong.fault == jwt_fault::wrong_audience);
  CHECK(wrong.detail == "audience 'https://vault.azure.net' is not accepted here");
  CHECK(issuer.verify(issue(issuer), {"https://vault.azure.net.evil"}, now).fault ==
        jwt_fault::wrong_audience);
}

TEST_CASE("expiry and not-before are checked with the skew", "[token_issuer]") {
  auto issuer = make_issuer(test_pki::rsa_key());
  auto token = issue(issuer);
  CHECK(issuer.verify(token, {vault}, now + 3600 + 59));
  auto expired = issuer.verify(token, {vault}, now + 3600 + 60);
  CHECK(expired.fault == jwt_fault::expired);
  CHECK(expired.detail == "token expired at 1700003600, now is 1700003660");
  CHECK(issuer.verify(token, {vault}, now - 60));
  auto early = issuer.verify(token, {vault}, now - 61);
  CHECK(early.fault == jwt_fault::not_yet_valid);
  CHECK(early.detail == "token is not valid before 1700000000, now is 1699999939");
  CHECK(std::string{to_string(jwt_fault::expired)} == "expired");
}

TEST_CASE("signatures, keys and payloads are checked", "[token_issuer]") {
  auto key = test_pki::rsa_key();
  auto issuer = make_issuer(key);
  auto other = make_issuer(test_pki::rsa_key());
  auto token = issue(issuer);

  auto foreign = issuer.verify(issue(other), {vault}, now);
  CHECK(foreign.fault == jwt_fault::unknown_key);
  CHECK(foreign.detail == "token was signed by another key (kid differs)");

  // Another key that claims our kid.
  auto parts = segments(token);
  auto forged_header = decode(parts[0]);
  auto forged = test_pki::sign(forged_header, decode(parts[1]), test_pki::rsa_key().pkey());
  auto bad = issuer.verify(forged, {vault}, now);
  CHECK(bad.fault == jwt_fault::bad_signature);
  CHECK(bad.detail == "signature does not verify");

  // A changed payload under the original signature.
  auto claims = decode(parts[1]);
  claims["appid"] = "someone-else";
  auto tampered = parts[0] + "." + bulkd::base64url_encode(claims.dump()) + "." + parts[2];
  CHECK(issuer.verify(tampered, {vault}, now).fault == jwt_fault::bad_signature);

  // One changed signature character.
  auto flipped = token;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  CHECK(issuer.verify(flipped, {vault}, now).fault == jwt_fault::bad_signature);

  // alg none with the signature removed, or HS256.
  auto none_header = forged_header;
  none_header["alg"] = "none";
  auto none = bulkd::base64url_encode(none_header.dump()) + "." + parts[1] + "." + parts[2];
  auto refused = issuer.verify(none, {vault}, now);
  CHECK(refused.fault == jwt_fault::bad_signature);
  CHECK(refused.detail == "alg must be RS256");

  // Signed by our key, but with another issuer.
  auto wrong_iss = decode(parts[1]);
  wrong_iss["iss"] = "https://login.microsoftonline.com/" + tenant + "/v2.0";
  auto check = issuer.verify(test_pki::sign(forged_header, wrong_iss, key.pkey()), {vault}, now);
  CHECK(check.fault == jwt_fault::wrong_issuer);
  CHECK(check.detail == "issuer 'https://login.microsoftonline.com/" + tenant +
                            "/v2.0' is not 'https://127.0.0.1:8443/" + tenant + "/v2.0'");

  // Signed by our key, without exp.
  auto no_exp = decode(parts[1]);
  no_exp.erase("exp");
  auto missing = issuer.verify(test_pki::sign(forged_header, no_exp, key.pkey()), {vault}, now);
  CHECK(missing.fault == jwt_fault::malformed);
  CHECK(missing.detail == "token lacks iss, aud, tid, appid or exp");
}

TEST_CASE("malformed tokens are refused with the reason", "[token_issuer]") {
  auto issuer = make_issuer(test_pki::rsa_key());
  auto detail = [&](const std::string& token) {
    auto check = issuer.verify(token, {vault}, now);
    CHECK(check.fault == jwt_fault::malformed);
    return check.detail;
  };
  CHECK(detail("") == "parse_error: malformed JWT: expected three dot-separated segments");
  CHECK(detail("abc.def") == "parse_error: malformed JWT: expected three dot-separated segments");
  CHECK(detail("a.b.c.d") == "parse_error: malformed JWT: expected three dot-separated segments");
  CHECK(detail("e30+.e30.c2ln") ==
        "parse_error: malformed JWT: header is not base64url (parse_error: invalid base64url: "
        "'+' at offset 3)");
  CHECK(detail(bulkd::base64url_encode("[1]") + ".e30.c2ln") ==
        "parse_error: malformed JWT: header is not a JSON object");
  CHECK(detail("e30." + bulkd::base64url_encode("{not json") + ".c2ln") ==
        "parse_error: malformed JWT: payload is not a JSON object");
  CHECK(detail("e30.e30.") == "parse_error: malformed JWT: signature is empty");
}

TEST_CASE("the issuer refuses bad configuration", "[token_issuer]") {
  auto ec = bulkd::emulator::keyvault::key_material::generate({"EC", {}, {}, {}});
  REQUIRE(ec);
  auto r = token_issuer::make(*ec, {"https://127.0.0.1:8443", 3600, 60});
  REQUIRE_FALSE(r);
  CHECK(bulkd::render(r.error()) ==
        "invalid_argument: the token signing key must be an RSA private key");
  auto r2 = token_issuer::make(test_pki::rsa_key(), {"", 3600, 60});
  REQUIRE_FALSE(r2);
  CHECK(bulkd::render(r2.error()) == "invalid_argument: the token issuer needs an authority URL");
}

TEST_CASE("the OpenID configuration points MSAL at the emulator's endpoints", "[token_issuer]") {
  auto issuer = make_issuer(test_pki::rsa_key());
  auto config = issuer.openid_configuration(tenant);
  const std::string base = "https://127.0.0.1:8443/" + tenant;
  CHECK(config.at("issuer") == base + "/v2.0");
  CHECK(config.at("token_endpoint") == base + "/oauth2/v2.0/token");
  CHECK(config.at("authorization_endpoint") == base + "/oauth2/v2.0/authorize");
  CHECK(config.at("jwks_uri") == base + "/discovery/v2.0/keys");
  CHECK(config.at("end_session_endpoint") == base + "/oauth2/v2.0/logout");
  CHECK(issuer.token_endpoint_for(tenant) == base + "/oauth2/v2.0/token");
}
