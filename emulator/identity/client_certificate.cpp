#include "emulator/identity/client_certificate.hpp"

#include "clients/error.hpp"
#include "emulator/keyvault/openssl_support.hpp"

#include <openssl/pem.h>

namespace bulkd::emulator::identity {

namespace ossl = bulkd::emulator::openssl;

caf::expected<client_certificate> client_certificate::from_pem(std::string_view pem) {
  ossl::bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  ossl::x509_ptr cert{bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr};
  if (!cert) {
    ERR_clear_error();
    return make_error(ec::invalid_argument, "no PEM certificate found");
  }
  client_certificate out;
  out.key_ = ossl::share(X509_get_pubkey(cert.get()));
  if (!out.key_ || EVP_PKEY_get_base_id(out.key_.get()) != EVP_PKEY_RSA)
    return make_error(ec::invalid_argument, "the certificate's key is not RSA");
  unsigned char* der = nullptr;
  auto len = i2d_X509(cert.get(), &der);
  if (len <= 0)
    return make_error(ec::invalid_argument, "cannot encode the certificate: " + ossl::last_error());
  std::string bytes(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  out.sha1_ = ossl::digest("SHA1", bytes);
  out.sha256_ = ossl::digest("SHA256", bytes);
  return out;
}

std::string client_certificate::thumbprint_hex() const {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char b : sha1_) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

} // namespace bulkd::emulator::identity
