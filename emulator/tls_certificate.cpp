#include "emulator/tls_certificate.hpp"

#include "clients/error.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace bulkd::emulator {

namespace {

caf::error openssl_error(const std::string& what) {
  char buf[256] = "unknown error";
  if (auto code = ERR_get_error(); code != 0)
    ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return make_error(ec::tls_error, what + ": " + buf);
}

struct file_closer {
  void operator()(FILE* f) const { std::fclose(f); }
};

// Opens for writing with mode 0600 (the private key must not be readable by others).
std::unique_ptr<FILE, file_closer> create_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return nullptr;
  return std::unique_ptr<FILE, file_closer>{::fdopen(fd, "w")};
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr)
    return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

caf::error generate(const tls_files& files) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_EC_gen("P-256"), EVP_PKEY_free};
  if (!key)
    return openssl_error("cannot generate the emulator's TLS key");
  std::unique_ptr<X509, decltype(&X509_free)> cert{X509_new(), X509_free};
  if (!cert)
    return openssl_error("cannot create the emulator's certificate");
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1)
    return openssl_error("no random serial number");
  serial_bytes[0] &= 0x7f; // positive
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial{
      BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr), BN_free};
  auto* name = X509_get_subject_name(cert.get());
  bool ok = X509_set_version(cert.get(), 2) == 1 && serial &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600) != nullptr &&
            X509_set_pubkey(cert.get(), key.get()) == 1 &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>("bulkd emulator"), -1,
                                       -1, 0) == 1 &&
            X509_set_issuer_name(cert.get(), name) == 1 &&
            add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") &&
            add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") &&
            add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") &&
            add_extension(cert.get(), NID_ext_key_usage, "serverAuth") &&
            X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok)
    return openssl_error("cannot build the emulator's certificate");
  auto key_file = create_private(files.private_key);
  if (!key_file ||
      PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return make_error(ec::io_error, "cannot write " + files.private_key);
  auto cert_file = create_private(files.certificate);
  if (!cert_file || PEM_write_X509(cert_file.get(), cert.get()) != 1)
    return make_error(ec::io_error, "cannot write " + files.certificate);
  return {};
}

} // namespace

caf::expected<tls_files> ensure_self_signed_certificate(const std::string& dir) {
  namespace fs = std::filesystem;
  tls_files files{(fs::path{dir} / "emulator-cert.pem").string(),
                  (fs::path{dir} / "emulator-key.pem").string()};
  std::error_code ec;
  if (fs::exists(files.certificate, ec) && fs::exists(files.private_key, ec))
    return files;
  if (auto err = generate(files))
    return err;
  return files;
}

} // namespace bulkd::emulator
