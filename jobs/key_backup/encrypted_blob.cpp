#include "jobs/key_backup/encrypted_blob.hpp"

#include "clients/error.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace bulkd::key_backup {

namespace {

constexpr size_t header_size = 9;
constexpr size_t nonce_size = 12;
constexpr size_t tag_size = 16;

struct ctx_deleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* bytes(std::string& s, size_t offset) {
  return reinterpret_cast<unsigned char*>(s.data()) + offset;
}

caf::error crypto_failure(const char* what) {
  return make_error(ec::unspecified, std::string{"OpenSSL AES-256-GCM: "} + what + " failed");
}

// Feeds header and key name as additional authenticated data.
bool add_aad(EVP_CIPHER_CTX* ctx, std::string_view header, std::string_view key_name) {
  int len = 0;
  return EVP_CipherUpdate(ctx, nullptr, &len, bytes(header), static_cast<int>(header.size())) ==
             1 &&
         (key_name.empty() || EVP_CipherUpdate(ctx, nullptr, &len, bytes(key_name),
                                               static_cast<int>(key_name.size())) == 1);
}

} // namespace

caf::expected<std::string> encrypt_blob(const encryption_key& key, std::string_view key_name,
                                        std::string_view blob) {
  std::string out;
  out.resize(encrypted_blob_overhead + blob.size());
  out.replace(0, encrypted_blob_magic.size(), encrypted_blob_magic);
  out[8] = static_cast<char>(encrypted_blob_version);
  if (RAND_bytes(bytes(out, header_size), nonce_size) != 1)
    return crypto_failure("random nonce");
  cipher_ctx ctx{EVP_CIPHER_CTX_new()};
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_size, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), bytes(out, header_size)) != 1)
    return crypto_failure("init");
  if (!add_aad(ctx.get(), std::string_view{out}.substr(0, header_size), key_name))
    return crypto_failure("aad");
  int len = 0;
  auto* ct = bytes(out, header_size + nonce_size);
  if (!blob.empty() &&
      EVP_EncryptUpdate(ctx.get(), ct, &len, bytes(blob), static_cast<int>(blob.size())) != 1)
    return crypto_failure("encrypt");
  int fin = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), ct + len, &fin) != 1)
    return crypto_failure("final");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_size,
                          bytes(out, header_size + nonce_size + blob.size())) != 1)
    return crypto_failure("tag");
  return out;
}

caf::expected<std::string> decrypt_blob(const encryption_key& key, std::string_view key_name,
                                        std::string_view file) {
  if (file.size() < encrypted_blob_magic.size() ||
      file.substr(0, encrypted_blob_magic.size()) != encrypted_blob_magic)
    return make_error(ec::parse_error, "not an encrypted key backup (no BKDKEY1 magic)");
  if (file.size() <= 8)
    return make_error(ec::parse_error, "truncated encrypted key backup (8 bytes)");
  auto version = static_cast<unsigned char>(file[8]);
  if (version != encrypted_blob_version)
    return make_error(ec::parse_error,
                      "unsupported encrypted key backup format version " + std::to_string(version));
  if (file.size() < encrypted_blob_overhead)
    return make_error(ec::parse_error,
                      "truncated encrypted key backup (" + std::to_string(file.size()) + " bytes)");
  auto n = file.size() - encrypted_blob_overhead;
  cipher_ctx ctx{EVP_CIPHER_CTX_new()};
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_size, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), bytes(file) + header_size) != 1)
    return crypto_failure("init");
  if (!add_aad(ctx.get(), file.substr(0, header_size), key_name))
    return crypto_failure("aad");
  std::string out(n, '\0');
  int len = 0;
  if (n > 0 && EVP_DecryptUpdate(ctx.get(), bytes(out, 0), &len,
                                 bytes(file) + header_size + nonce_size, static_cast<int>(n)) != 1)
    return crypto_failure("decrypt");
  std::string tag{file.substr(file.size() - tag_size)};
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_size, tag.data()) != 1)
    return crypto_failure("tag");
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), bytes(out, 0) + len, &fin) != 1)
    return make_error(ec::parse_error,
                      "authentication failed (the file was changed, or belongs to another key "
                      "name, or the key is not the one it was encrypted with)");
  return out;
}

} // namespace bulkd::key_backup
