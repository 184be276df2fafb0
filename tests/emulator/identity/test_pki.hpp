#pragma once

// Test helpers: RSA keys, self-signed certificates and client assertions made with OpenSSL.

#include "clients/base64url.hpp"
#include "clients/error.hpp"
#include "emulator/identity/jwt.hpp"
#include "emulator/keyvault/key_material.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace test_pki {

inline bulkd::emulator::keyvault::key_material rsa_key() {
  auto key = bulkd::emulator::keyvault::key_material::generate({"RSA", 2048, {}, {}});
  if (!key)
    FAIL(bulkd::render(key.error()));
  return std::move(*key);
}

struct certificate {
  bulkd::emulator::keyvault::key_material key;
  std::string pem;
  std::string der;
};

inline certificate self_signed(const std::string& common_name) {
  certificate out{rsa_key(), {}, {}};
  std::unique_ptr<X509, decltype(&X509_free)> cert{X509_new(), X509_free};
  REQUIRE(cert);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  auto name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  REQUIRE(X509_set_pubkey(cert.get(), out.key.pkey()) == 1);
  REQUIRE(X509_sign(cert.get(), out.key.pkey(), EVP_sha256()) > 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), BIO_free};
  REQUIRE(PEM_write_bio_X509(bio.get(), cert.get()) == 1);
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  out.pem.assign(data, static_cast<size_t>(len));
  unsigned char* der = nullptr;
  auto der_len = i2d_X509(cert.get(), &der);
  REQUIRE(der_len > 0);
  out.der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);
  return out;
}

inline std::string digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) == 1);
  return std::string(reinterpret_cast<char*>(out), len);
}

inline std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

/// The header azure-sdk-for-cpp sends: x5t (base64url SHA-1), kid (hex SHA-1), RS256.
inline nlohmann::json assertion_header(const certificate& cert, const char* alg = "RS256") {
  auto sha1 = digest(EVP_sha1(), cert.der);
  return {{"alg", alg}, {"typ", "JWT"}, {"x5t", bulkd::base64url_encode(sha1)}, {"kid", hex(sha1)}};
}

inline nlohmann::json assertion_payload(const std::string& aud, const std::string& client,
                                        int64_t now) {
  return {{"aud", aud},    {"iss", client},
          {"sub", client}, {"jti", "8f0c2a2e-0000-4000-8000-000000000001"},
          {"nbf", now},    {"exp", now + 600}};
}

inline std::string sign(const nlohmann::json& header, const nlohmann::json& payload,
                        EVP_PKEY* key) {
  auto token = bulkd::emulator::identity::sign_jwt(header, payload, key);
  if (!token)
    FAIL(bulkd::render(token.error()));
  return *token;
}

} // namespace test_pki
