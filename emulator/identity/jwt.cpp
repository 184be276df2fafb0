#include "emulator/identity/jwt.hpp"

#include "clients/base64url.hpp"
#include "clients/error.hpp"
#include "emulator/keyvault/openssl_support.hpp"

#include <openssl/rsa.h>

namespace bulkd::emulator::identity {

namespace {

using json = nlohmann::json;
namespace ossl = bulkd::emulator::openssl;

caf::error malformed(std::string message) {
  return make_error(ec::parse_error, "malformed JWT: " + std::move(message));
}

caf::expected<json> decode_segment(std::string_view segment, const char* what) {
  auto bytes = base64url_decode(segment);
  if (!bytes)
    return malformed(std::string{what} + " is not base64url (" + render(bytes.error()) + ")");
  auto parsed = json::parse(*bytes, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return malformed(std::string{what} + " is not a JSON object");
  return parsed;
}

// Sets up RS256 (PKCS#1 v1.5) or PS256 (PSS, salt = digest length) on a digest context.
bool configure(EVP_PKEY_CTX* pctx, std::string_view alg) {
  if (alg == "RS256")
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  if (alg == "PS256")
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  return false;
}

std::string header_alg(const json& header) {
  auto alg = header.find("alg");
  return alg != header.end() && alg->is_string() ? alg->get<std::string>() : std::string{};
}

} // namespace

const char* to_string(jwt_fault fault) {
  switch (fault) {
  case jwt_fault::none:
    return "none";
  case jwt_fault::malformed:
    return "malformed";
  case jwt_fault::unknown_key:
    return "unknown_key";
  case jwt_fault::bad_signature:
    return "bad_signature";
  case jwt_fault::expired:
    return "expired";
  case jwt_fault::not_yet_valid:
    return "not_yet_valid";
  case jwt_fault::wrong_audience:
    return "wrong_audience";
  case jwt_fault::wrong_issuer:
    return "wrong_issuer";
  }
  return "unknown";
}

caf::expected<jwt> parse_jwt(std::string_view compact) {
  auto first = compact.find('.');
  auto second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos)
    return malformed("expected three dot-separated segments");
  jwt out;
  auto header = decode_segment(compact.substr(0, first), "header");
  if (!header)
    return header.error();
  auto payload = decode_segment(compact.substr(first + 1, second - first - 1), "payload");
  if (!payload)
    return payload.error();
  auto signature = base64url_decode(compact.substr(second + 1));
  if (!signature)
    return malformed("signature is not base64url (" + render(signature.error()) + ")");
  if (signature->empty())
    return malformed("signature is empty");
  out.header = std::move(*header);
  out.payload = std::move(*payload);
  out.signing_input = std::string{compact.substr(0, second)};
  out.signature = std::move(*signature);
  return out;
}

caf::expected<std::string> sign_jwt(const json& header, const json& payload, EVP_PKEY* key) {
  auto alg = header_alg(header);
  auto input = base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
  ossl::md_ctx_ptr ctx{EVP_MD_CTX_new()};
  EVP_PKEY_CTX* pctx = nullptr;
  size_t len = 0;
  auto data = reinterpret_cast<const unsigned char*>(input.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1 ||
      !configure(pctx, alg) || EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1)
    return make_error(ec::invalid_argument,
                      "cannot sign a JWT with alg '" + alg + "': " + ossl::last_error());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                     input.size()) != 1)
    return make_error(ec::unspecified, "JWT signing failed: " + ossl::last_error());
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

bool verify_jwt_signature(const jwt& token, EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
    return false;
  ossl::md_ctx_ptr ctx{EVP_MD_CTX_new()};
  EVP_PKEY_CTX* pctx = nullptr;
  auto ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) == 1 &&
      configure(pctx, header_alg(token.header)) &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(token.signature.data()),
                       token.signature.size(),
                       reinterpret_cast<const unsigned char*>(token.signing_input.data()),
                       token.signing_input.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::optional<int64_t> numeric_claim(const json& payload, const char* name) {
  auto i = payload.find(name);
  if (i == payload.end() || !i->is_number_integer())
    return std::nullopt;
  return i->get<int64_t>();
}

} // namespace bulkd::emulator::identity
