#include "jobs/key_backup/manifest_mac.hpp"

#include "clients/error.hpp"

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

} // namespace

std::string manifest_mac(const encryption_key& key, const backup_manifest& m) {
  unsigned char mac_key[EVP_MAX_MD_SIZE];
  unsigned key_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(encryption_key::size),
       reinterpret_cast<const unsigned char*>(mac_label.data()), mac_label.size(), mac_key,
       &key_len);
  auto unsigned_manifest = m;
  unsigned_manifest.mac.clear();
  auto text = to_json(unsigned_manifest);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned mac_len = 0;
  HMAC(EVP_sha256(), mac_key, static_cast<int>(key_len),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &mac_len);
  OPENSSL_cleanse(mac_key, sizeof mac_key);
  return hex(mac, mac_len);
}

caf::error check_manifest_mac(const encryption_key& key, const backup_manifest& m) {
  if (m.mac.empty())
    return make_error(ec::parse_error, "manifest.json of an encrypted set has no mac");
  auto expected = manifest_mac(key, m);
  if (expected.size() != m.mac.size() ||
      CRYPTO_memcmp(expected.data(), m.mac.data(), expected.size()) != 0)
    return make_error(ec::parse_error,
                      "manifest.json: authentication failed (the manifest was changed after the "
                      "run, or the key is not the one the set was written with)");
  return {};
}

} // namespace bulkd::key_backup
