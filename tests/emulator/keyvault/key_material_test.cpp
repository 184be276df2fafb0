#include "clients/base64url.hpp"
#include "clients/error.hpp"
#include "emulator/keyvault/key_material.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <memory>

using bulkd::emulator::keyvault::key_family;
using bulkd::emulator::keyvault::key_material;
using bulkd::emulator::keyvault::key_options;
using nlohmann::json;

namespace {

key_material make(key_options options) {
  auto key = key_material::generate(options);
  if (!key)
    FAIL(bulkd::render(key.error()));
  return std::move(*key);
}

key_material import(const json& jwk) {
  auto key = key_material::from_jwk(jwk);
  if (!key)
    FAIL(bulkd::render(key.error()));
  return std::move(*key);
}

std::string import_error(const json& jwk) {
  auto key = key_material::from_jwk(jwk);
  REQUIRE_FALSE(key);
  return bulkd::render(key.error());
}

std::string generate_error(key_options options) {
  auto key = key_material::generate(options);
  REQUIRE_FALSE(key);
  return bulkd::render(key.error());
}

std::string sign(EVP_PKEY* key, const std::string& data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
  size_t len = 0;
  auto in = reinterpret_cast<const unsigned char*>(data.data());
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) == 1);
  std::string sig(len, '\0');
  REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                         data.size()) == 1);
  sig.resize(len);
  return sig;
}

bool verify(EVP_PKEY* key, const std::string& data, const std::string& sig) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

size_t decoded_size(const json& jwk, const char* field) {
  auto bytes = bulkd::base64url_decode(jwk.at(field).get<std::string>());
  REQUIRE(bytes);
  return bytes->size();
}

void check_rsa_round_trip(const key_material& key, int bits) {
  CHECK(key.family() == key_family::rsa);
  CHECK(key.key_size() == bits);
  auto pub = key.public_jwk();
  CHECK(pub.size() == 3);
  CHECK(pub.at("e") == "AQAB");
  auto n_bytes = bulkd::base64url_decode(pub.at("n").get<std::string>());
  REQUIRE(n_bytes);
  CHECK(n_bytes->size() == static_cast<size_t>(bits / 8));
  CHECK(static_cast<unsigned char>((*n_bytes)[0]) != 0); // no leading zero byte
  CHECK(pub.at("n").get<std::string>().find('=') == std::string::npos);
  auto pub_key = import(pub);
  CHECK_FALSE(pub_key.has_private());
  CHECK(pub_key.public_jwk() == pub);
  auto sig = sign(key.pkey(), "payload to sign");
  CHECK(verify(pub_key.pkey(), "payload to sign", sig));
  CHECK_FALSE(verify(pub_key.pkey(), "payload to sigN", sig));
  // The private JWK brings back a working private key.
  auto priv = key.private_jwk();
  for (auto field : {"d", "p", "q", "dp", "dq", "qi"})
    CHECK(priv.contains(field));
  auto priv_key = import(priv);
  CHECK(priv_key.has_private());
  CHECK(priv_key.private_jwk() == priv);
  CHECK(verify(key.pkey(), "again", sign(priv_key.pkey(), "again")));
}

void check_ec_round_trip(const key_material& key, const std::string& crv, int bits, size_t size) {
  CHECK(key.family() == key_family::ec);
  CHECK(key.curve() == crv);
  CHECK(key.key_size() == bits);
  auto pub = key.public_jwk();
  CHECK(pub.size() == 4);
  CHECK(pub.at("crv") == crv);
  CHECK(decoded_size(pub, "x") == size);
  CHECK(decoded_size(pub, "y") == size);
  auto pub_key = import(pub);
  CHECK(pub_key.public_jwk() == pub);
  auto sig = sign(key.pkey(), "ec payload");
  CHECK(verify(pub_key.pkey(), "ec payload", sig));
  CHECK_FALSE(verify(pub_key.pkey(), "ec payloaD", sig));
  auto priv = key.private_jwk();
  CHECK(decoded_size(priv, "d") == size);
  auto priv_key = import(priv);
  CHECK(priv_key.private_jwk() == priv);
  CHECK(verify(key.pkey(), "back", sign(priv_key.pkey(), "back")));
}

} // namespace

TEST_CASE("RSA 2048 and 3072 keys round-trip through JWK", "[key_material]") {
  check_rsa_round_trip(make({"RSA", std::nullopt, std::nullopt, std::nullopt}), 2048);
  check_rsa_round_trip(make({"RSA", 3072, std::nullopt, std::nullopt}), 3072);
}

TEST_CASE("RSA-HSM 4096 is a software key reported as RSA-HSM", "[key_material]") {
  auto key = make({"RSA-HSM", 4096, std::nullopt, std::nullopt});
  CHECK(key.hsm());
  CHECK(key.kty() == "RSA-HSM");
  CHECK(key.public_jwk().at("kty") == "RSA-HSM");
  check_rsa_round_trip(key, 4096);
  CHECK(import(key.public_jwk()).hsm());
  CHECK(key.with_hsm(false).kty() == "RSA");
}

TEST_CASE("RSA public exponent 3 is honoured", "[key_material]") {
  auto key = make({"RSA", 2048, std::nullopt, 3});
  CHECK(key.public_jwk().at("e") == "Aw");
}

TEST_CASE("EC keys round-trip through JWK with fixed-size coordinates", "[key_material]") {
  check_ec_round_trip(make({"EC", std::nullopt, std::nullopt, std::nullopt}), "P-256", 256, 32);
  check_ec_round_trip(make({"EC", std::nullopt, "P-384", std::nullopt}), "P-384", 384, 48);
  check_ec_round_trip(make({"EC-HSM", 521, std::nullopt, std::nullopt}), "P-521", 521, 66);
  check_ec_round_trip(make({"EC", std::nullopt, "P-256K", std::nullopt}), "P-256K", 256, 32);
}

TEST_CASE("P-521 coordinates keep leading zero bytes", "[key_material]") {
  // A P-521 coordinate is 521 bits in 66 bytes, so its first byte is 0 or 1: generate until a
  // key shows a leading zero in x (about half of them do) and check the size stays 66.
  bool seen_zero = false;
  for (int i = 0; i < 16 && !seen_zero; ++i) {
    auto key = make({"EC", std::nullopt, "P-521", std::nullopt});
    auto x = bulkd::base64url_decode(key.public_jwk().at("x").get<std::string>());
    REQUIRE(x);
    REQUIRE(x->size() == 66);
    seen_zero = (*x)[0] == 0;
  }
  CHECK(seen_zero);
}

TEST_CASE("oct keys of 128, 192 and 256 bits round-trip and export no k publicly",
          "[key_material]") {
  for (int bits : {128, 192, 256}) {
    auto key = make({"oct", bits, std::nullopt, std::nullopt});
    CHECK(key.key_size() == bits);
    CHECK(key.secret().size() == static_cast<size_t>(bits / 8));
    CHECK(key.public_jwk() == json{{"kty", "oct"}});
    auto priv = key.private_jwk();
    CHECK(decoded_size(priv, "k") == static_cast<size_t>(bits / 8));
    auto back = import(priv);
    CHECK(back.secret() == key.secret());
  }
  CHECK(make({"oct-HSM", std::nullopt, std::nullopt, std::nullopt}).key_size() == 256);
  auto a = make({"oct", 256, std::nullopt, std::nullopt});
  auto b = make({"oct", 256, std::nullopt, std::nullopt});
  CHECK(a.secret() != b.secret());
}

TEST_CASE("default key_ops depend on the key family", "[key_material]") {
  using ops = std::vector<std::string>;
  CHECK(make({"EC", std::nullopt, std::nullopt, std::nullopt}).default_key_ops() ==
        ops{"sign", "verify"});
  CHECK(make({"oct", std::nullopt, std::nullopt, std::nullopt}).default_key_ops() ==
        ops{"encrypt", "decrypt", "wrapKey", "unwrapKey"});
  CHECK(bulkd::emulator::keyvault::is_known_key_op("wrapKey"));
  CHECK_FALSE(bulkd::emulator::keyvault::is_known_key_op("wrapkey"));
}

TEST_CASE("key generation rejects bad options with clear messages", "[key_material]") {
  CHECK(generate_error({"DSA", std::nullopt, std::nullopt, std::nullopt}) ==
        "invalid_argument: unknown key type (kty) 'DSA'; expected RSA, RSA-HSM, EC, EC-HSM, "
        "oct or oct-HSM");
  CHECK(generate_error({"rsa", std::nullopt, std::nullopt, std::nullopt}) ==
        "invalid_argument: unknown key type (kty) 'rsa'; expected RSA, RSA-HSM, EC, EC-HSM, "
        "oct or oct-HSM");
  CHECK(generate_error({"RSA", 1024, std::nullopt, std::nullopt}) ==
        "invalid_argument: RSA key_size must be 2048, 3072 or 4096, got 1024");
  CHECK(generate_error({"RSA", 2048, std::nullopt, 17}) ==
        "invalid_argument: RSA public_exponent must be 3 or 65537, got 17");
  CHECK(generate_error({"RSA", 2048, "P-256", std::nullopt}) ==
        "invalid_argument: crv is only valid for EC keys, not RSA");
  CHECK(generate_error({"EC", std::nullopt, "P-192", std::nullopt}) ==
        "invalid_argument: unknown curve (crv) 'P-192'; expected P-256, P-384, P-521 or "
        "P-256K");
  CHECK(generate_error({"EC", 384, "P-256", std::nullopt}) ==
        "invalid_argument: key_size 384 does not match curve P-256");
  CHECK(generate_error({"EC", 512, std::nullopt, std::nullopt}) ==
        "invalid_argument: EC key_size must be 256, 384 or 521, got 512");
  CHECK(generate_error({"oct", 512, std::nullopt, std::nullopt}) ==
        "invalid_argument: oct key_size must be 128, 192 or 256, got 512");
}

TEST_CASE("JWK import rejects malformed keys with clear messages", "[key_material]") {
  auto rsa = make({"RSA", 2048, std::nullopt, std::nullopt});
  auto ec = make({"EC", std::nullopt, "P-256", std::nullopt});
  auto pub = rsa.public_jwk();

  CHECK(import_error(json::array()) == "invalid_argument: JWK must be a JSON object");
  CHECK(import_error({{"n", "AQAB"}}) == "invalid_argument: JWK is missing 'kty'");
  CHECK(import_error({{"kty", "RSA1"}}) ==
        "invalid_argument: unknown key type (kty) 'RSA1'; expected RSA, RSA-HSM, EC, EC-HSM, "
        "oct or oct-HSM");

  auto no_n = pub;
  no_n.erase("n");
  CHECK(import_error(no_n) == "invalid_argument: RSA JWK is missing 'n'");
  auto bad_n = pub;
  bad_n["n"] = "abc+def";
  CHECK(import_error(bad_n) ==
        "invalid_argument: JWK field 'n' is not valid base64url (parse_error: invalid "
        "base64url: '+' at offset 3)");
  auto num_e = pub;
  num_e["e"] = 65537;
  CHECK(import_error(num_e) == "invalid_argument: JWK field 'e' must be a base64url string");
  auto small = pub;
  small["n"] = bulkd::base64url_encode(std::string(128, '\xc1'));
  CHECK(import_error(small) ==
        "invalid_argument: RSA modulus must have 2048, 3072 or 4096 bits, got 1024");
  auto even_e = pub;
  even_e["e"] = "AQAA";
  CHECK(import_error(even_e) ==
        "invalid_argument: RSA public exponent 'e' must be odd, at least 3 and at most 32 "
        "bits");
  auto partial = rsa.private_jwk();
  partial.erase("dq");
  CHECK(import_error(partial) == "invalid_argument: RSA JWK with 'd' is missing 'dq'");
  auto crt_only = pub;
  crt_only["p"] = rsa.private_jwk().at("p");
  CHECK(import_error(crt_only) == "invalid_argument: RSA JWK has 'p' but no 'd'");
  // A private key whose d belongs to another key.
  auto other = make({"RSA", 2048, std::nullopt, std::nullopt}).private_jwk();
  auto mixed = rsa.private_jwk();
  mixed["d"] = other["d"];
  CHECK_THAT(import_error(mixed),
             Catch::StartsWith("invalid_argument: RSA JWK: the private key does not match the "
                               "public key"));

  auto ec_pub = ec.public_jwk();
  auto bad_crv = ec_pub;
  bad_crv["crv"] = "P-224";
  CHECK(import_error(bad_crv) ==
        "invalid_argument: unknown curve (crv) 'P-224'; expected P-256, P-384, P-521 or "
        "P-256K");
  auto no_crv = ec_pub;
  no_crv.erase("crv");
  CHECK(import_error(no_crv) == "invalid_argument: EC JWK is missing 'crv'");
  auto no_y = ec_pub;
  no_y.erase("y");
  CHECK(import_error(no_y) == "invalid_argument: EC JWK is missing 'y'");
  auto short_x = ec_pub;
  short_x["x"] = bulkd::base64url_encode(std::string(31, '\x01'));
  CHECK(import_error(short_x) ==
        "invalid_argument: EC JWK field 'x' must be 32 bytes for P-256, got 31");
  auto off_curve = ec_pub;
  off_curve["y"] = bulkd::base64url_encode(std::string(32, '\x01'));
  CHECK_THAT(import_error(off_curve), Catch::StartsWith("invalid_argument: EC JWK"));
  auto ec_mixed = ec.private_jwk();
  ec_mixed["d"] = make({"EC", std::nullopt, "P-256", std::nullopt}).private_jwk().at("d");
  CHECK_THAT(import_error(ec_mixed),
             Catch::StartsWith("invalid_argument: EC JWK: the private key does not match the "
                               "public key"));

  CHECK(import_error({{"kty", "oct"}}) == "invalid_argument: oct JWK is missing 'k'");
  CHECK(import_error({{"kty", "oct"}, {"k", bulkd::base64url_encode(std::string(20, 'k'))}}) ==
        "invalid_argument: oct key 'k' must be 128, 192 or 256 bits, got 160");
  CHECK(import_error({{"kty", "oct"}, {"k", ""}}) == "invalid_argument: JWK field 'k' is empty");
}

TEST_CASE("RSA keys with exponent 3 round-trip through JWK", "[key_material]") {
  auto key = make({"RSA", 2048, std::nullopt, 3});
  auto pub = import(key.public_jwk());
  CHECK(pub.public_jwk().at("e") == "Aw");
  CHECK(verify(pub.pkey(), "e=3", sign(key.pkey(), "e=3")));
  auto priv = import(key.private_jwk());
  CHECK(verify(key.pkey(), "e=3 back", sign(priv.pkey(), "e=3 back")));
}

TEST_CASE("a modulus with a leading zero byte imports and exports without it", "[key_material]") {
  auto key = make({"RSA", 2048, std::nullopt, std::nullopt});
  auto pub = key.public_jwk();
  auto n = bulkd::base64url_decode(pub.at("n").get<std::string>());
  REQUIRE(n);
  auto padded = pub;
  padded["n"] = bulkd::base64url_encode(std::string(1, '\0') + *n);
  auto back = import(padded);
  CHECK(back.key_size() == 2048);
  CHECK(back.public_jwk() == pub);
}

TEST_CASE("every RSA private part must agree with the others", "[key_material]") {
  auto key = make({"RSA", 2048, std::nullopt, std::nullopt}).private_jwk();
  auto other = make({"RSA", 2048, std::nullopt, std::nullopt}).private_jwk();
  const std::string message = "invalid_argument: RSA JWK: the private key does not match the "
                              "public key (n, e, d, p, q, dp, dq and qi are inconsistent)";
  for (auto field : {"d", "p", "q", "dp", "dq", "qi"}) {
    INFO(field);
    auto mixed = key;
    mixed[field] = other[field];
    CHECK(import_error(mixed) == message);
  }
  auto swapped = key; // p and q swapped without recomputing qi
  swapped["p"] = key["q"];
  swapped["q"] = key["p"];
  swapped["dp"] = key["dq"];
  swapped["dq"] = key["dp"];
  CHECK(import_error(swapped) == message);
  auto one = key;
  one["p"] = "AQ";
  CHECK(import_error(one) == message);
}
