#include "clients/identity/client_certificate.hpp"

#include "clients/base64url.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bulkd::identity {

namespace {

caf::error bad(const std::string& why) {
  return make_error(ec::invalid_argument, "client certificate: " + why);
}

std::string digest(const std::string& data, const EVP_MD* md) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

struct bio_deleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct x509_deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

bio_ptr memory_bio(std::string_view text) {
  return bio_ptr{BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))};
}

// No passphrase: encrypted keys fail instead of prompting on the terminal.
int no_password(char*, int, int, void*) {
  return -1;
}

} // namespace

caf::expected<client_certificate> client_certificate::from_pem(std::string_view pem) {
  return from_pem(pem, pem);
}

caf::expected<client_certificate> client_certificate::from_pem(std::string_view cert_pem,
                                                               std::string_view key_pem) {
  auto cert_bio = memory_bio(cert_pem);
  x509_ptr cert{PEM_read_bio_X509(cert_bio.get(), nullptr, no_password, nullptr)};
  ERR_clear_error();
  if (!cert)
    return bad("no PEM certificate found");
  auto key_bio = memory_bio(key_pem);
  EVP_PKEY* raw_key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_password, nullptr);
  ERR_clear_error();
  if (raw_key == nullptr)
    return bad("no unencrypted PEM private key found (encrypted keys are not supported)");
  std::shared_ptr<EVP_PKEY> key{raw_key, EVP_PKEY_free};
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    return bad("the private key is not an RSA key (RS256 needs RSA)");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return bad("the private key does not belong to the certificate");
  }
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0)
    return bad("cannot encode the certificate as DER");
  client_certificate out;
  out.der_.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  out.key_ = std::move(key);
  out.sha1_ = digest(out.der_, EVP_sha1());
  out.sha256_ = digest(out.der_, EVP_sha256());
  return out;
}

caf::expected<client_certificate> client_certificate::load(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(ec::io_error,
                      "client certificate: cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  auto result = from_pem(text.str());
  if (!result)
    return make_error(
        ec::invalid_argument,
        "client certificate " + path + ": " +
            cosmos::error_message(result.error()).substr(sizeof("client certificate: ") - 1));
  return result;
}

std::string client_certificate::x5t() const {
  return base64url_encode(sha1_);
}

std::string client_certificate::x5t_s256() const {
  return base64url_encode(sha256_);
}

std::string client_certificate::thumbprint() const {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : sha1_) {
    out += hex[c >> 4];
    out += hex[c & 0xf];
  }
  return out;
}

caf::expected<std::string> client_certificate::sign_rs256(std::string_view input) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    ERR_clear_error();
    return make_error(ec::unspecified, "client certificate: cannot sign the assertion");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    ERR_clear_error();
    return make_error(ec::unspecified, "client certificate: cannot sign the assertion");
  }
  sig.resize(len);
  return sig;
}

caf::expected<std::string> client_certificate::make_assertion(std::string_view audience,
                                                              std::string_view client_id,
                                                              seconds_clock_time now) const {
  auto t = now.time_since_epoch().count();
  nlohmann::json header{{"alg", "RS256"}, {"typ", "JWT"}, {"x5t", x5t()}, {"x5t#S256", x5t_s256()}};
  nlohmann::json claims{{"aud", audience},  {"iss", client_id},
                        {"sub", client_id}, {"jti", random_uuid()},
                        {"nbf", t},         {"exp", t + assertion_lifetime.count()}};
  auto input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  auto sig = sign_rs256(input);
  if (!sig)
    return std::move(sig.error());
  return input + "." + base64url_encode(*sig);
}

std::string random_uuid() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // RAND_bytes only fails without entropy; fall back to the clock rather than a fixed value.
    auto n = std::chrono::steady_clock::now().time_since_epoch().count();
    std::memcpy(b.data(), &n, sizeof(n));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0xf];
  }
  return out;
}

} // namespace bulkd::identity
