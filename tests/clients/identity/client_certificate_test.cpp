#include "clients/base64url.hpp"
#include "clients/error.hpp"
#include "clients/identity/client_certificate.hpp"
#include "clients/identity/client_certificate_credential.hpp"
#include "clients/identity/form.hpp"
#include "temp_dir.hpp"
#include "test_certificate.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

using namespace bulkd;
using namespace bulkd::identity;

namespace {

const seconds_clock_time now{std::chrono::seconds{1'800'000'000}};

std::vector<std::string> split_jwt(const std::string& jwt) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    auto dot = jwt.find('.', start);
    parts.push_back(jwt.substr(start, dot - start));
    if (dot == std::string::npos)
      break;
    start = dot + 1;
  }
  return parts;
}

nlohmann::json decode_json(const std::string& segment) {
  auto bytes = base64url_decode(segment);
  REQUIRE(bytes);
  return nlohmann::json::parse(*bytes);
}

} // namespace

TEST_CASE("the client assertion verifies with the certificate's public key",
          "[identity][client-certificate]") {
  auto pem = test::make_test_certificate();
  auto cert = client_certificate::from_pem(pem.cert_pem + pem.key_pem);
  REQUIRE(cert);
  CHECK(cert->x5t() == base64url_encode(test::der_digest(pem.cert_pem, EVP_sha1())));
  CHECK(cert->x5t_s256() == base64url_encode(test::der_digest(pem.cert_pem, EVP_sha256())));
  CHECK(cert->thumbprint().size() == 40);

  auto opts = client_certificate_options{"tenant-1", "app-id", {}, {}};
  auto cred = make_client_certificate_credential(opts, *cert);
  REQUIRE(cred);
  CHECK((*cred)->kind() == "client-certificate");
  auto req = (*cred)->token_request({std::string{keyvault_scope}, "", now});
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->origin == "https://login.microsoftonline.com:443");
  CHECK(req->target == "/tenant-1/oauth2/v2.0/token");
  CHECK(req->headers.value("Content-Type") == "application/x-www-form-urlencoded");
  auto fields = form_decode(req->body);
  REQUIRE(fields);
  std::map<std::string, std::string> form(fields->begin(), fields->end());
  CHECK(form.size() == 5);
  CHECK(form.at("grant_type") == "client_credentials");
  CHECK(form.at("client_id") == "app-id");
  CHECK(form.at("scope") == "https://vault.azure.net/.default");
  CHECK(form.at("client_assertion_type") ==
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  CHECK(req->body.find("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-"
                       "type%3Ajwt-bearer") != std::string::npos);

  auto parts = split_jwt(form.at("client_assertion"));
  REQUIRE(parts.size() == 3);
  auto header = decode_json(parts[0]);
  CHECK(header.at("alg") == "RS256");
  CHECK(header.at("typ") == "JWT");
  CHECK(header.at("x5t") == cert->x5t());
  CHECK(header.at("x5t#S256") == cert->x5t_s256());
  auto claims = decode_json(parts[1]);
  CHECK(claims.at("aud") == "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token");
  CHECK(claims.at("iss") == "app-id");
  CHECK(claims.at("sub") == "app-id");
  CHECK(claims.at("nbf") == 1'800'000'000);
  CHECK(claims.at("exp") == 1'800'000'600);
  auto jti = claims.at("jti").get<std::string>();
  CHECK(jti.size() == 36);
  CHECK(jti[14] == '4');
  auto signature = base64url_decode(parts[2]);
  REQUIRE(signature);
  CHECK(test::verify_rs256(pem.cert_pem, parts[0] + "." + parts[1], *signature));
  // A changed claim does not verify: the check can fail.
  auto forged = nlohmann::json(claims);
  forged["sub"] = "someone-else";
  CHECK_FALSE(test::verify_rs256(pem.cert_pem, parts[0] + "." + base64url_encode(forged.dump()),
                                 *signature));
  // Nor with another certificate.
  auto other = test::make_test_certificate();
  CHECK_FALSE(test::verify_rs256(other.cert_pem, parts[0] + "." + parts[1], *signature));
}

TEST_CASE("every assertion has its own jti", "[identity][client-certificate]") {
  auto pem = test::make_test_certificate();
  auto cert = client_certificate::from_pem(pem.cert_pem, pem.key_pem);
  REQUIRE(cert);
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto jwt = cert->make_assertion("https://aud", "c", now);
    REQUIRE(jwt);
    ids.insert(decode_json(split_jwt(*jwt)[1]).at("jti").get<std::string>());
  }
  CHECK(ids.size() == 5);
}

TEST_CASE("certificate files", "[identity][client-certificate]") {
  test::temp_dir dir;
  auto pem = test::make_test_certificate();
  auto path = dir.write("cert.pem", pem.key_pem + pem.cert_pem);
  auto cred = make_client_certificate_credential({"t", "c", {}, {}}, path);
  REQUIRE(cred);
  auto missing = make_client_certificate_credential({"t", "c", {}, {}}, dir.path("none.pem"));
  REQUIRE_FALSE(missing);
  CHECK(render(missing.error()) == "io_error: client certificate: cannot read " +
                                       dir.path("none.pem") + ": No such file or directory");
  auto only_cert = dir.write("only-cert.pem", pem.cert_pem);
  auto no_key = client_certificate::load(only_cert);
  REQUIRE_FALSE(no_key);
  CHECK(render(no_key.error()) == "invalid_argument: client certificate " + only_cert +
                                      ": no unencrypted PEM private key found (encrypted keys are "
                                      "not supported)");
}

TEST_CASE("bad certificates are refused with a reason", "[identity][client-certificate]") {
  auto reason = [](std::string_view cert, std::string_view key) {
    auto c = client_certificate::from_pem(cert, key);
    REQUIRE_FALSE(c);
    auto msg = render(c.error());
    // The key material never appears in the message.
    CHECK(msg.find("PRIVATE KEY") == std::string::npos);
    return msg;
  };
  auto a = test::make_test_certificate();
  auto b = test::make_test_certificate();
  CHECK(reason("", "") == "invalid_argument: client certificate: no PEM certificate found");
  CHECK(reason("garbage", a.key_pem) ==
        "invalid_argument: client certificate: no PEM certificate found");
  CHECK(reason(a.cert_pem, "") == "invalid_argument: client certificate: no unencrypted PEM "
                                  "private key found (encrypted keys are not supported)");
  CHECK(reason(a.cert_pem, b.key_pem) ==
        "invalid_argument: client certificate: the private key does not belong to the certificate");
  auto ec = test::make_test_certificate("EC");
  CHECK(
      reason(ec.cert_pem, ec.key_pem) ==
      "invalid_argument: client certificate: the private key is not an RSA key (RS256 needs RSA)");
}

TEST_CASE("encrypted private keys are refused without a prompt", "[identity][client-certificate]") {
  auto pem = test::make_test_certificate();
  BIO* in = BIO_new_mem_buf(pem.key_pem.data(), static_cast<int>(pem.key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  REQUIRE(key != nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  static char pass[] = "passphrase";
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), pass, sizeof(pass) - 1,
                                        nullptr, nullptr) == 1);
  auto encrypted = test::bio_text(out);
  BIO_free(out);
  EVP_PKEY_free(key);
  CHECK(encrypted.find("ENCRYPTED PRIVATE KEY") != std::string::npos);
  auto c = client_certificate::from_pem(pem.cert_pem + encrypted);
  REQUIRE_FALSE(c);
  CHECK(render(c.error()) == "invalid_argument: client certificate: no unencrypted PEM private "
                             "key found (encrypted keys are not supported)");
}

TEST_CASE("an unset request time still gives a current assertion",
          "[identity][client-certificate]") {
  auto pem = test::make_test_certificate();
  auto cert = client_certificate::from_pem(pem.cert_pem + pem.key_pem);
  REQUIRE(cert);
  auto cred = make_client_certificate_credential({"t", "c", {}, {}}, *cert);
  REQUIRE(cred);
  auto req = (*cred)->token_request({});
  REQUIRE(req);
  auto fields = form_decode(req->body);
  REQUIRE(fields);
  std::map<std::string, std::string> form(fields->begin(), fields->end());
  auto claims = decode_json(split_jwt(form.at("client_assertion"))[1]);
  auto wall = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  CHECK(claims.at("nbf").get<int64_t>() > wall - 3600);
  CHECK(claims.at("nbf").get<int64_t>() <= wall);
}
