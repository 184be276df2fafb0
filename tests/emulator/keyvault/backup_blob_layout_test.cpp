// Seals blobs by hand, following only the byte layout documented in backup_blob.hpp: proves the
// documentation right and reaches decode_backup's checks behind the authentication.

#include "clients/error.hpp"
#include "emulator/keyvault/backup_blob.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

using namespace bulkd::emulator::keyvault;
using nlohmann::json;

namespace {

const std::string secret(32, '\x11');

std::string hkdf(const std::string& info, size_t size) {
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf{EVP_KDF_fetch(nullptr, "HKDF", nullptr),
                                                        EVP_KDF_free};
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx{EVP_KDF_CTX_new(kdf.get()),
                                                                EVP_KDF_CTX_free};
  char digest[] = "SHA256";
  std::string key = secret;
  std::string label = info;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.data(), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, label.data(), label.size()),
      OSSL_PARAM_construct_end(),
  };
  std::string out(size, '\0');
  REQUIRE(EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), size, params) ==
          1);
  return out;
}

std::string seal(const std::string& name, const std::string& plaintext) {
  std::string blob = "&BulkdKeyVaultBackup";
  blob += '\x01';
  blob += hkdf("bulkd kv backup key id", 8);
  blob += static_cast<char>(name.size() >> 8);
  blob += static_cast<char>(name.size() & 0xff);
  blob += name;
  std::string nonce(12, '\x07');
  blob += nonce;
  auto aes = hkdf("bulkd kv backup v1 aes-256-gcm", 32);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free};
  auto u = [](std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); };
  auto cu = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  int len = 0;
  std::string ciphertext(plaintext.size(), '\0');
  std::string tag(16, '\0');
  REQUIRE(EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), cu(aes), cu(nonce), nullptr) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx.get(), nullptr, &len, cu(blob), static_cast<int>(blob.size())) ==
          1);
  REQUIRE(EVP_EncryptUpdate(ctx.get(), u(ciphertext), &len, cu(plaintext),
                            static_cast<int>(plaintext.size())) == 1);
  REQUIRE(EVP_EncryptFinal_ex(ctx.get(), u(ciphertext) + len, &len) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data()) == 1);
  return blob + ciphertext + tag;
}

json good_version() {
  auto key = key_material::generate({"EC", std::nullopt, "P-256", std::nullopt});
  REQUIRE(key);
  return {{"version", "0123456789abcdef0123456789abcdef"},
          {"key", key->private_jwk()},
          {"attributes", {{"enabled", true}, {"created", 1}, {"updated", 2}}},
          {"tags", {{"a", "b"}}},
          {"key_ops", {"sign"}},
          {"managed", false}};
}

std::string decode_error(const std::string& name, const std::string& plaintext) {
  auto r = decode_backup(seal(name, plaintext), secret);
  REQUIRE_FALSE(r);
  return bulkd::render(r.error());
}

} // namespace

TEST_CASE("a blob sealed by the documented layout decodes", "[backup_blob]") {
  json payload{{"name", "hand-made"}, {"versions", {good_version()}}};
  auto r = decode_backup(seal("hand-made", payload.dump()), secret);
  if (!r)
    FAIL(bulkd::render(r.error()));
  CHECK(r->name == "hand-made");
  REQUIRE(r->versions.size() == 1);
  CHECK(r->versions[0].version == "0123456789abcdef0123456789abcdef");
  CHECK(r->versions[0].key.curve() == "P-256");
  CHECK(r->versions[0].attributes.updated == 2);
  CHECK(r->versions[0].tags.at("a") == "b");
}

TEST_CASE("authenticated but inconsistent payloads are still malformed", "[backup_blob]") {
  const std::string head = "parse_error: malformed backup blob: ";
  CHECK(decode_error("k", "not json") == head + "bad payload: not a JSON object");
  CHECK(decode_error("k", "[]") == head + "bad payload: not a JSON object");
  CHECK(decode_error("k", R"({"versions": []})") == head + "bad payload: no name");
  json other{{"name", "other"}, {"versions", {good_version()}}};
  CHECK(decode_error("k", other.dump()) == head + "name mismatch between header and payload");
  CHECK(decode_error("k", R"({"name": "k", "versions": []})") == head + "bad payload: no versions");
  auto v = good_version();
  json twice{{"name", "k"}, {"versions", {v, v}}};
  CHECK(decode_error("k", twice.dump()) ==
        head + "bad payload: version '0123456789abcdef0123456789abcdef' appears twice");
  auto no_key = v;
  no_key.erase("key");
  CHECK(decode_error("k", json{{"name", "k"}, {"versions", {no_key}}}.dump()) ==
        head + "bad payload: version #0: no key");
  auto bad_key = v;
  bad_key["key"]["crv"] = "P-1";
  CHECK(decode_error("k", json{{"name", "k"}, {"versions", {bad_key}}}.dump()) ==
        head + "bad payload: version #0: invalid_argument: unknown curve (crv) 'P-1'; expected "
               "P-256, P-384, P-521 or P-256K");
  auto bad_attr = v;
  bad_attr["attributes"]["enabled"] = 1;
  CHECK(decode_error("k", json{{"name", "k"}, {"versions", {bad_attr}}}.dump()) ==
        head + "bad payload: version #0: invalid_argument: attributes field 'enabled' must be a "
               "boolean");
  auto bad_tag = v;
  bad_tag["tags"]["n"] = 5;
  CHECK(decode_error("k", json{{"name", "k"}, {"versions", {bad_tag}}}.dump()) ==
        head + "bad payload: version #0: tag 'n' is not a string");
  auto bad_ops = v;
  bad_ops["key_ops"] = "sign";
  CHECK(decode_error("k", json{{"name", "k"}, {"versions", {bad_ops}}}.dump()) ==
        head + "bad payload: version #0: key_ops is not an array");
  auto no_id = v;
  no_id["version"] = "";
  CHECK(decode_error("k", json{{"name", "k"}, {"versions", {no_id}}}.dump()) ==
        head + "bad payload: version #0: no version id");
}
