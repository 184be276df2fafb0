#include "emulator/keyvault/backup_blob.hpp"

#include "clients/error.hpp"
#include "emulator/keyvault/key_identifier.hpp"
#include "emulator/keyvault/openssl_support.hpp"

#include <nlohmann/json.hpp>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <set>

namespace bulkd::emulator::keyvault {

namespace {

using json = nlohmann::json;
namespace ossl = bulkd::emulator::openssl;

constexpr std::string_view magic = "&BulkdKeyVaultBackup";
constexpr uint8_t format_version = 1;
constexpr size_t key_id_size = 8;
constexpr size_t nonce_size = 12;
constexpr size_t tag_size = 16;
constexpr size_t fixed_header = magic.size() + 1 + key_id_size + 2; // up to the name

caf::error malformed(std::string reason) {
  return make_error(ec::parse_error, "malformed backup blob: " + std::move(reason));
}

caf::error invalid(std::string message) {
  return make_error(ec::invalid_argument, "backup: " + std::move(message));
}

caf::expected<std::string> hkdf(std::string_view secret, std::string_view info, size_t size) {
  std::unique_ptr<EVP_KDF, ossl::deleter<EVP_KDF, EVP_KDF_free>> kdf{
      EVP_KDF_fetch(nullptr, "HKDF", nullptr)};
  if (!kdf)
    return make_error(ec::unspecified, "HKDF unavailable: " + ossl::last_error());
  std::unique_ptr<EVP_KDF_CTX, ossl::deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>> ctx{
      EVP_KDF_CTX_new(kdf.get())};
  char digest[] = "SHA256";
  std::string key{secret};
  std::string label{info};
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.data(), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, label.data(), label.size()),
      OSSL_PARAM_construct_end(),
  };
  std::string out(size, '\0');
  if (!ctx ||
      EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), size, params) != 1)
    return make_error(ec::unspecified, "HKDF failed: " + ossl::last_error());
  return out;
}

struct sealing_keys {
  std::string id;
  std::string aes;
};

caf::expected<sealing_keys> derive(std::string_view secret) {
  if (secret.size() != backup_secret_size)
    return invalid("the instance secret must be " + std::to_string(backup_secret_size) +
                   " bytes, got " + std::to_string(secret.size()));
  auto id = hkdf(secret, "bulkd kv backup key id", key_id_size);
  if (!id)
    return id.error();
  auto aes = hkdf(secret, "bulkd kv backup v1 aes-256-gcm", 32);
  if (!aes)
    return aes.error();
  return sealing_keys{std::move(*id), std::move(*aes)};
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

json payload_of(const key_backup& backup) {
  json versions = json::array();
  for (auto& v : backup.versions)
    versions.push_back({{"version", v.version},
                        {"key", v.key.private_jwk()},
                        {"attributes", to_json(v.attributes)},
                        {"tags", v.tags},
                        {"key_ops", v.key_ops},
                        {"managed", v.managed}});
  return {{"name", backup.name}, {"versions", std::move(versions)}};
}

caf::expected<key_version_backup> version_from(const json& item, size_t index) {
  auto where = "version #" + std::to_string(index) + ": ";
  if (!item.is_object())
    return malformed("bad payload: " + where + "not an object");
  key_version_backup out;
  auto version = item.find("version");
  if (version == item.end() || !version->is_string() ||
      version->get_ref<const std::string&>().empty())
    return malformed("bad payload: " + where + "no version id");
  out.version = version->get<std::string>();
  auto key = item.find("key");
  if (key == item.end())
    return malformed("bad payload: " + where + "no key");
  auto material = key_material::from_jwk(*key);
  if (!material)
    return malformed("bad payload: " + where + render(material.error()));
  out.key = std::move(*material);
  auto attributes = item.find("attributes");
  if (attributes == item.end())
    return malformed("bad payload: " + where + "no attributes");
  auto parsed = parse_key_attributes(*attributes);
  if (!parsed)
    return malformed("bad payload: " + where + render(parsed.error()));
  out.attributes = std::move(*parsed);
  auto tags = item.find("tags");
  if (tags != item.end()) {
    if (!tags->is_object())
      return malformed("bad payload: " + where + "tags is not an object");
    for (auto& [k, v] : tags->items()) {
      if (!v.is_string())
        return malformed("bad payload: " + where + "tag '" + k + "' is not a string");
      out.tags.emplace(k, v.get<std::string>());
    }
  }
  auto ops = item.find("key_ops");
  if (ops != item.end()) {
    if (!ops->is_array())
      return malformed("bad payload: " + where + "key_ops is not an array");
    for (auto& op : *ops) {
      if (!op.is_string())
        return malformed("bad payload: " + where + "key_ops holds a non-string");
      out.key_ops.push_back(op.get<std::string>());
    }
  }
  auto managed = item.find("managed");
  if (managed != item.end()) {
    if (!managed->is_boolean())
      return malformed("bad payload: " + where + "managed is not a boolean");
    out.managed = managed->get<bool>();
  }
  return out;
}

} // namespace

caf::expected<std::string> encode_backup(const key_backup& backup, std::string_view secret) {
  auto keys = derive(secret);
  if (!keys)
    return keys.error();
  if (!is_valid_key_name(backup.name))
    return invalid("key name '" + backup.name +
                   "' must match ^[0-9a-zA-Z-]+$ (1 to 127 characters)");
  if (backup.versions.empty())
    return invalid("key '" + backup.name + "' has no versions");
  std::set<std::string> seen;
  for (auto& v : backup.versions) {
    if (v.version.empty())
      return invalid("a version of key '" + backup.name + "' has an empty id");
    if (!seen.insert(v.version).second)
      return invalid("version '" + v.version + "' appears twice");
    if (!v.key.has_private())
      return invalid("version '" + v.version + "' has no private key material");
  }
  auto plaintext = payload_of(backup).dump();

  std::string out{magic};
  out += static_cast<char>(format_version);
  out += keys->id;
  out += static_cast<char>((backup.name.size() >> 8) & 0xff);
  out += static_cast<char>(backup.name.size() & 0xff);
  out += backup.name;
  std::string nonce(nonce_size, '\0');
  if (RAND_bytes(bytes(nonce), static_cast<int>(nonce.size())) != 1)
    return make_error(ec::unspecified, "RAND_bytes failed: " + ossl::last_error());
  out += nonce;
  auto aad_size = out.size();

  ossl::cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  int len = 0;
  std::string ciphertext(plaintext.size(), '\0');
  std::string tag(tag_size, '\0');
  if (!ctx ||
      EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), bytes(keys->aes), bytes(nonce), nullptr) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(out), static_cast<int>(aad_size)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), bytes(ciphertext), &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), bytes(ciphertext) + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                          tag.data()) != 1)
    return make_error(ec::unspecified, "AES-GCM sealing failed: " + ossl::last_error());
  out += ciphertext;
  out += tag;
  return out;
}

caf::expected<std::string> peek_backup_name(std::string_view blob) {
  if (blob.size() < fixed_header)
    return malformed("truncated: " + std::to_string(blob.size()) +
                     " bytes, the header needs at least " + std::to_string(fixed_header));
  if (blob.substr(0, magic.size()) != magic)
    return malformed("bad magic");
  auto version = static_cast<uint8_t>(blob[magic.size()]);
  if (version != format_version)
    return malformed("unsupported format version " + std::to_string(version));
  auto at = magic.size() + 1 + key_id_size;
  auto name_size = (static_cast<size_t>(static_cast<uint8_t>(blob[at])) << 8) |
                   static_cast<uint8_t>(blob[at + 1]);
  auto minimum = fixed_header + name_size + nonce_size + tag_size;
  if (blob.size() < minimum)
    return malformed("truncated: " + std::to_string(blob.size()) + " bytes, at least " +
                     std::to_string(minimum) + " expected");
  auto name = blob.substr(fixed_header, name_size);
  if (!is_valid_key_name(name))
    return malformed("bad key name in the header");
  return std::string{name};
}

caf::expected<key_backup> decode_backup(std::string_view blob, std::string_view secret) {
  auto keys = derive(secret);
  if (!keys)
    return keys.error();
  auto name = peek_backup_name(blob);
  if (!name)
    return name.error();
  if (blob.substr(magic.size() + 1, key_id_size) != keys->id)
    return malformed("made by another emulator instance (key id differs)");
  auto aad_size = fixed_header + name->size() + nonce_size;
  auto nonce = blob.substr(aad_size - nonce_size, nonce_size);
  auto ciphertext = blob.substr(aad_size, blob.size() - aad_size - tag_size);
  std::string tag{blob.substr(blob.size() - tag_size)};

  ossl::cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  int len = 0;
  std::string plaintext(ciphertext.size(), '\0');
  if (!ctx ||
      EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), bytes(keys->aes), bytes(nonce), nullptr) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(blob), static_cast<int>(aad_size)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes(plaintext), &len, bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size),
                          tag.data()) != 1)
    return make_error(ec::unspecified, "AES-GCM opening failed: " + ossl::last_error());
  if (EVP_DecryptFinal_ex(ctx.get(), bytes(plaintext) + len, &len) != 1) {
    ERR_clear_error();
    return malformed("authentication failed (the blob was changed or cut)");
  }

  auto payload = json::parse(plaintext, nullptr, false);
  if (payload.is_discarded() || !payload.is_object())
    return malformed("bad payload: not a JSON object");
  auto payload_name = payload.find("name");
  if (payload_name == payload.end() || !payload_name->is_string())
    return malformed("bad payload: no name");
  if (payload_name->get_ref<const std::string&>() != *name)
    return malformed("name mismatch between header and payload");
  auto versions = payload.find("versions");
  if (versions == payload.end() || !versions->is_array() || versions->empty())
    return malformed("bad payload: no versions");
  key_backup out;
  out.name = std::move(*name);
  std::set<std::string> seen;
  for (size_t i = 0; i < versions->size(); ++i) {
    auto version = version_from((*versions)[i], i);
    if (!version)
      return version.error();
    if (!seen.insert(version->version).second)
      return malformed("bad payload: version '" + version->version + "' appears twice");
    out.versions.push_back(std::move(*version));
  }
  return out;
}

} // namespace bulkd::emulator::keyvault
