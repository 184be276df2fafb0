#include "jobs/key_backup/manifest_mac.hpp"

#include "clients/error.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace bulkd::key_backup {

namespace {

constexpr std::string_view mac_label = "bulkd key-backup manifest mac v1";

std::string hex(const unsigned char* data, unsigned len) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

std::string mac_of_text(const encryption_key& key, std::string_view text) {
  unsigned char mac_key[EVP_MAX_MD_SIZE];
  unsigned key_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(encryption_key::size),
       reinterpret_cast<const unsigned char*>(mac_label.data()), mac_label.size(), mac_key,
       &key_len);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned mac_len = 0;
  HMAC(EVP_sha256(), mac_key, static_cast<int>(key_len),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &mac_len);
  OPENSSL_cleanse(mac_key, sizeof mac_key);
  return hex(mac, mac_len);
}

} // namespace

std::string manifest_mac(const encryption_key& key, const backup_manifest& m) {
  auto unsigned_manifest = m;
  unsigned_manifest.mac.clear();
  return mac_of_text(key, to_json(unsigned_manifest));
}

caf::error check_manifest_mac(const encryption_key& key, std::string_view manifest_json) {
  auto doc = nlohmann::json::parse(manifest_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error(ec::parse_error, "manifest.json is not valid JSON");
  auto it = doc.find("mac");
  if (it == doc.end() || !it->is_string() || it->get<std::string>().empty())
    return make_error(ec::parse_error, "manifest.json of an encrypted set has no mac");
  auto given = it->get<std::string>();
  doc.erase(it);
  auto expected = mac_of_text(key, doc.dump(2) + "\n");
  if (expected.size() != given.size() ||
      CRYPTO_memcmp(expected.data(), given.data(), expected.size()) != 0)
    return make_error(ec::parse_error,
                      "manifest.json: authentication failed (the manifest was changed after the "
                      "run, or the key is not the one the set was written with)");
  return {};
}

} // namespace bulkd::key_backup
