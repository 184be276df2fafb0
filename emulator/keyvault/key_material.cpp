#include "emulator/keyvault/key_material.hpp"

#include "clients/base64url.hpp"
#include "clients/error.hpp"
#include "emulator/keyvault/openssl_support.hpp"

#include <nlohmann/json.hpp>
#include <openssl/core_names.h>
#include <openssl/rand.h>

#include <array>

namespace bulkd::emulator::keyvault {

namespace {

using json = nlohmann::json;
namespace ossl = bulkd::emulator::openssl;

struct curve_info {
  std::string_view jwk_name;
  const char* group;
  int bits;
  size_t size; // bytes of a coordinate and of d
};

constexpr std::array<curve_info, 4> curves{{
    {"P-256", "prime256v1", 256, 32},
    {"P-384", "secp384r1", 384, 48},
    {"P-521", "secp521r1", 521, 66},
    {"P-256K", "secp256k1", 256, 32},
}};

const curve_info* find_curve(std::string_view name) {
  for (auto& c : curves)
    if (c.jwk_name == name)
      return &c;
  return nullptr;
}

caf::error invalid(std::string message) {
  return make_error(ec::invalid_argument, std::move(message));
}

bool allowed_rsa_bits(int64_t bits) {
  return bits == 2048 || bits == 3072 || bits == 4096;
}

bool allowed_oct_bits(int64_t bits) {
  return bits == 128 || bits == 192 || bits == 256;
}

/// A base64url byte field of a JWK: nullopt when absent.
caf::expected<std::optional<std::string>> bytes_field(const json& jwk, const char* name) {
  auto i = jwk.find(name);
  if (i == jwk.end() || i->is_null())
    return std::optional<std::string>{};
  if (!i->is_string())
    return invalid(std::string{"JWK field '"} + name + "' must be a base64url string");
  auto bytes = base64url_decode(i->get_ref<const std::string&>());
  if (!bytes)
    return invalid(std::string{"JWK field '"} + name + "' is not valid base64url (" +
                   render(bytes.error()) + ")");
  if (bytes->empty())
    return invalid(std::string{"JWK field '"} + name + "' is empty");
  return std::optional<std::string>{std::move(*bytes)};
}

caf::expected<std::string> required_bytes(const json& jwk, const char* name, std::string_view kty) {
  auto field = bytes_field(jwk, name);
  if (!field)
    return field.error();
  if (!*field)
    return invalid(std::string{kty} + " JWK is missing '" + name + "'");
  return std::move(**field);
}

std::string get_bn_bytes(EVP_PKEY* key, const char* param) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &bn) != 1)
    return {};
  ossl::bn_ptr guard{bn};
  return ossl::bn_to_bytes(bn);
}

std::string get_bn_padded(EVP_PKEY* key, const char* param, size_t size) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &bn) != 1)
    return {};
  ossl::bn_ptr guard{bn};
  return ossl::bn_to_padded_bytes(bn, size);
}

caf::expected<std::shared_ptr<EVP_PKEY>> generate_rsa(int bits, int64_t exponent) {
  ossl::pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)};
  ossl::bn_ptr e{BN_new()};
  EVP_PKEY* key = nullptr;
  if (!ctx || !e || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      BN_set_word(e.get(), static_cast<BN_ULONG>(exponent)) != 1 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) != 1 ||
      EVP_PKEY_generate(ctx.get(), &key) != 1)
    return make_error(ec::unspecified, "RSA key generation failed: " + ossl::last_error());
  return ossl::share(key);
}

caf::expected<std::shared_ptr<EVP_PKEY>> generate_ec(const curve_info& curve) {
  ossl::pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)};
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), curve.group) != 1 ||
      EVP_PKEY_generate(ctx.get(), &key) != 1)
    return make_error(ec::unspecified, "EC key generation failed: " + ossl::last_error());
  return ossl::share(key);
}

caf::expected<std::shared_ptr<EVP_PKEY>> from_params(const char* algorithm, OSSL_PARAM_BLD* bld,
                                                     bool keypair) {
  ossl::param_ptr params{OSSL_PARAM_BLD_to_param(bld)};
  ossl::pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr)};
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, keypair ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1)
    return invalid(std::string{algorithm} + " JWK could not be loaded: " + ossl::last_error());
  return ossl::share(key);
}

caf::error check_key(EVP_PKEY* key, bool keypair, std::string_view kty) {
  ossl::pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr)};
  if (!ctx)
    return make_error(ec::unspecified, ossl::last_error());
  if (EVP_PKEY_public_check(ctx.get()) != 1)
    return invalid(std::string{kty} + " JWK holds an invalid public key: " + ossl::last_error());
  if (keypair && EVP_PKEY_pairwise_check(ctx.get()) != 1)
    return invalid(std::string{kty} + " JWK: the private key does not match the public key (" +
                   ossl::last_error() + ")");
  return {};
}

// OpenSSL's RSA pairwise check also tests p and q for primality, which takes 80 ms (2048 bits) to
// 500 ms (4096 bits) per key; restoring a backup of hundreds of versions cannot afford that. These
// identities tie n, e, d and the CRT values together in microseconds; primality is not checked.
bool rsa_private_consistent(const BIGNUM* n, const BIGNUM* e, const BIGNUM* d, const BIGNUM* p,
                            const BIGNUM* q, const BIGNUM* dp, const BIGNUM* dq, const BIGNUM* qi) {
  std::unique_ptr<BN_CTX, ossl::deleter<BN_CTX, BN_CTX_free>> ctx{BN_CTX_new()};
  ossl::bn_ptr t{BN_new()};
  ossl::bn_ptr p1{BN_dup(p)};
  ossl::bn_ptr q1{BN_dup(q)};
  if (!ctx || !t || !p1 || !q1 || BN_is_zero(p) || BN_is_zero(q) || BN_is_one(p) || BN_is_one(q))
    return false;
  BN_sub_word(p1.get(), 1);
  BN_sub_word(q1.get(), 1);
  auto is = [&](const BIGNUM* expected) { return BN_cmp(t.get(), expected) == 0; };
  return BN_mul(t.get(), p, q, ctx.get()) == 1 && is(n) &&           // n = p q
         BN_nnmod(t.get(), d, p1.get(), ctx.get()) == 1 && is(dp) && // dp = d mod p-1
         BN_nnmod(t.get(), d, q1.get(), ctx.get()) == 1 && is(dq) && // dq = d mod q-1
         BN_mod_mul(t.get(), e, dp, p1.get(), ctx.get()) == 1 && BN_is_one(t.get()) &&
         BN_mod_mul(t.get(), e, dq, q1.get(), ctx.get()) == 1 && BN_is_one(t.get()) &&
         BN_mod_mul(t.get(), qi, q, p, ctx.get()) == 1 && BN_is_one(t.get()); // qi q = 1 mod p
}

} // namespace

caf::expected<key_type> parse_kty(std::string_view kty) {
  if (kty == "RSA")
    return key_type{key_family::rsa, false};
  if (kty == "RSA-HSM")
    return key_type{key_family::rsa, true};
  if (kty == "EC")
    return key_type{key_family::ec, false};
  if (kty == "EC-HSM")
    return key_type{key_family::ec, true};
  if (kty == "oct")
    return key_type{key_family::oct, false};
  if (kty == "oct-HSM")
    return key_type{key_family::oct, true};
  return invalid("unknown key type (kty) '" + std::string{kty} +
                 "'; expected RSA, RSA-HSM, EC, EC-HSM, oct or oct-HSM");
}

std::string to_string(key_type type) {
  std::string base;
  switch (type.family) {
  case key_family::rsa:
    base = "RSA";
    break;
  case key_family::ec:
    base = "EC";
    break;
  case key_family::oct:
    base = "oct";
    break;
  }
  return type.hsm ? base + "-HSM" : base;
}

bool is_known_key_op(std::string_view op) {
  for (auto known :
       {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export"})
    if (op == known)
      return true;
  return false;
}

caf::expected<key_material> key_material::generate(const key_options& options) {
  auto type = parse_kty(options.kty);
  if (!type)
    return type.error();
  key_material result;
  result.type_ = *type;
  result.has_private_ = true;
  switch (type->family) {
  case key_family::rsa: {
    if (options.curve)
      return invalid("crv is only valid for EC keys, not " + options.kty);
    auto bits = options.key_size.value_or(2048);
    if (!allowed_rsa_bits(bits))
      return invalid("RSA key_size must be 2048, 3072 or 4096, got " + std::to_string(bits));
    auto exponent = options.public_exponent.value_or(65537);
    if (exponent != 3 && exponent != 65537)
      return invalid("RSA public_exponent must be 3 or 65537, got " + std::to_string(exponent));
    auto key = generate_rsa(static_cast<int>(bits), exponent);
    if (!key)
      return key.error();
    result.pkey_ = std::move(*key);
    return result;
  }
  case key_family::ec: {
    if (options.public_exponent)
      return invalid("public_exponent is only valid for RSA keys, not " + options.kty);
    const curve_info* curve = nullptr;
    if (options.curve) {
      curve = find_curve(*options.curve);
      if (!curve)
        return invalid("unknown curve (crv) '" + *options.curve +
                       "'; expected P-256, P-384, P-521 or P-256K");
      if (options.key_size && *options.key_size != curve->bits)
        return invalid("key_size " + std::to_string(*options.key_size) + " does not match curve " +
                       *options.curve);
    } else if (options.key_size) {
      auto bits = *options.key_size;
      curve = bits == 256   ? &curves[0]
              : bits == 384 ? &curves[1]
              : bits == 521 ? &curves[2]
                            : nullptr;
      if (!curve)
        return invalid("EC key_size must be 256, 384 or 521, got " + std::to_string(bits));
    } else {
      curve = &curves[0];
    }
    auto key = generate_ec(*curve);
    if (!key)
      return key.error();
    result.pkey_ = std::move(*key);
    result.curve_ = std::string{curve->jwk_name};
    return result;
  }
  case key_family::oct: {
    if (options.curve || options.public_exponent)
      return invalid("crv and public_exponent are not valid for " + options.kty + " keys");
    auto bits = options.key_size.value_or(256);
    if (!allowed_oct_bits(bits))
      return invalid("oct key_size must be 128, 192 or 256, got " + std::to_string(bits));
    result.secret_.resize(static_cast<size_t>(bits / 8));
    if (RAND_bytes(reinterpret_cast<unsigned char*>(result.secret_.data()),
                   static_cast<int>(result.secret_.size())) != 1)
      return make_error(ec::unspecified, "RAND_bytes failed: " + ossl::last_error());
    return result;
  }
  }
  return invalid("unhandled key type");
}

caf::expected<key_material> key_material::from_jwk(const json& jwk) {
  if (!jwk.is_object())
    return invalid("JWK must be a JSON object");
  auto kty_field = jwk.find("kty");
  if (kty_field == jwk.end() || !kty_field->is_string())
    return invalid("JWK is missing 'kty'");
  auto kty = kty_field->get<std::string>();
  auto type = parse_kty(kty);
  if (!type)
    return type.error();
  key_material result;
  result.type_ = *type;
  switch (type->family) {
  case key_family::rsa: {
    auto n = required_bytes(jwk, "n", kty);
    if (!n)
      return n.error();
    auto e = required_bytes(jwk, "e", kty);
    if (!e)
      return e.error();
    auto d = bytes_field(jwk, "d");
    if (!d)
      return d.error();
    std::array<const char*, 5> crt_names{"p", "q", "dp", "dq", "qi"};
    std::array<std::string, 5> crt;
    for (size_t i = 0; i < crt.size(); ++i) {
      auto field = bytes_field(jwk, crt_names[i]);
      if (!field)
        return field.error();
      if (*field && !*d)
        return invalid(kty + " JWK has '" + crt_names[i] + "' but no 'd'");
      if (!*field && *d)
        return invalid(kty + " JWK with 'd' is missing '" + crt_names[i] + "'");
      if (*field)
        crt[i] = std::move(**field);
    }
    auto n_bn = ossl::bytes_to_bn(*n);
    auto e_bn = ossl::bytes_to_bn(*e);
    auto bits = BN_num_bits(n_bn.get());
    if (!allowed_rsa_bits(bits))
      return invalid("RSA modulus must have 2048, 3072 or 4096 bits, got " + std::to_string(bits));
    if (!BN_is_odd(e_bn.get()) || BN_num_bits(e_bn.get()) < 2 || BN_num_bits(e_bn.get()) > 32)
      return invalid("RSA public exponent 'e' must be odd, at least 3 and at most 32 bits");
    ossl::param_bld_ptr bld{OSSL_PARAM_BLD_new()};
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n_bn.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e_bn.get());
    std::vector<ossl::bn_ptr> keep; // d, p, q, dp, dq, qi
    if (*d) {
      keep.push_back(ossl::bytes_to_bn(**d));
      for (auto& value : crt)
        keep.push_back(ossl::bytes_to_bn(value));
      if (!rsa_private_consistent(n_bn.get(), e_bn.get(), keep[0].get(), keep[1].get(),
                                  keep[2].get(), keep[3].get(), keep[4].get(), keep[5].get()))
        return invalid(kty + " JWK: the private key does not match the public key (n, e, d, p, q, "
                             "dp, dq and qi are inconsistent)");
      std::array<const char*, 6> params{
          OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
          OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
          OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
      for (size_t i = 0; i < params.size(); ++i)
        OSSL_PARAM_BLD_push_BN(bld.get(), params[i], keep[i].get());
    }
    auto key = from_params("RSA", bld.get(), d->has_value());
    if (!key)
      return key.error();
    // With d, n = p q was checked above (so n is composite); OpenSSL's public check would spend
    // most of an import proving it again with Miller-Rabin.
    if (!*d)
      if (auto err = check_key(key->get(), false, kty))
        return err;
    result.pkey_ = std::move(*key);
    result.has_private_ = d->has_value();
    return result;
  }
  case key_family::ec: {
    auto crv = jwk.find("crv");
    if (crv == jwk.end() || !crv->is_string())
      return invalid(kty + " JWK is missing 'crv'");
    auto curve = find_curve(crv->get_ref<const std::string&>());
    if (!curve)
      return invalid("unknown curve (crv) '" + crv->get<std::string>() +
                     "'; expected P-256, P-384, P-521 or P-256K");
    auto x = required_bytes(jwk, "x", kty);
    if (!x)
      return x.error();
    auto y = required_bytes(jwk, "y", kty);
    if (!y)
      return y.error();
    auto d = bytes_field(jwk, "d");
    if (!d)
      return d.error();
    auto check_size = [&](const std::string& bytes, const char* name) -> caf::error {
      if (bytes.size() != curve->size)
        return invalid(std::string{"EC JWK field '"} + name + "' must be " +
                       std::to_string(curve->size) + " bytes for " + crv->get<std::string>() +
                       ", got " + std::to_string(bytes.size()));
      return {};
    };
    if (auto err = check_size(*x, "x"))
      return err;
    if (auto err = check_size(*y, "y"))
      return err;
    if (*d)
      if (auto err = check_size(**d, "d"))
        return err;
    auto point = "\x04" + *x + *y;
    ossl::param_bld_ptr bld{OSSL_PARAM_BLD_new()};
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
    ossl::bn_ptr d_bn;
    if (*d) {
      d_bn = ossl::bytes_to_bn(**d);
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d_bn.get());
    }
    auto key = from_params("EC", bld.get(), d->has_value());
    if (!key)
      return key.error();
    if (auto err = check_key(key->get(), d->has_value(), kty))
      return err;
    result.pkey_ = std::move(*key);
    result.curve_ = std::string{curve->jwk_name};
    result.has_private_ = d->has_value();
    return result;
  }
  case key_family::oct: {
    auto k = required_bytes(jwk, "k", kty);
    if (!k)
      return k.error();
    auto bits = static_cast<int64_t>(k->size() * 8);
    if (!allowed_oct_bits(bits))
      return invalid("oct key 'k' must be 128, 192 or 256 bits, got " + std::to_string(bits));
    result.secret_ = std::move(*k);
    result.has_private_ = true;
    return result;
  }
  }
  return invalid("unhandled key type");
}

key_material key_material::with_hsm(bool hsm) const {
  auto copy = *this;
  copy.type_.hsm = hsm;
  return copy;
}

int key_material::key_size() const {
  switch (type_.family) {
  case key_family::rsa:
    return EVP_PKEY_get_bits(pkey_.get());
  case key_family::ec: {
    auto curve = find_curve(curve_);
    return curve ? curve->bits : 0;
  }
  case key_family::oct:
    return static_cast<int>(secret_.size() * 8);
  }
  return 0;
}

json key_material::public_jwk() const {
  json out{{"kty", kty()}};
  if (!pkey_ && type_.family != key_family::oct)
    return out; // a default-constructed key holds nothing
  switch (type_.family) {
  case key_family::rsa:
    out["n"] = base64url_encode(get_bn_bytes(pkey_.get(), OSSL_PKEY_PARAM_RSA_N));
    out["e"] = base64url_encode(get_bn_bytes(pkey_.get(), OSSL_PKEY_PARAM_RSA_E));
    break;
  case key_family::ec: {
    auto curve = find_curve(curve_);
    out["crv"] = curve_;
    out["x"] = base64url_encode(get_bn_padded(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, curve->size));
    out["y"] = base64url_encode(get_bn_padded(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, curve->size));
    break;
  }
  case key_family::oct:
    break;
  }
  return out;
}

json key_material::private_jwk() const {
  auto out = public_jwk();
  if (!has_private_)
    return out;
  switch (type_.family) {
  case key_family::rsa: {
    auto put = [&](const char* name, const char* param) {
      out[name] = base64url_encode(get_bn_bytes(pkey_.get(), param));
    };
    put("d", OSSL_PKEY_PARAM_RSA_D);
    put("p", OSSL_PKEY_PARAM_RSA_FACTOR1);
    put("q", OSSL_PKEY_PARAM_RSA_FACTOR2);
    put("dp", OSSL_PKEY_PARAM_RSA_EXPONENT1);
    put("dq", OSSL_PKEY_PARAM_RSA_EXPONENT2);
    put("qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
    break;
  }
  case key_family::ec: {
    auto curve = find_curve(curve_);
    out["d"] = base64url_encode(get_bn_padded(pkey_.get(), OSSL_PKEY_PARAM_PRIV_KEY, curve->size));
    break;
  }
  case key_family::oct:
    out["k"] = base64url_encode(secret_);
    break;
  }
  return out;
}

std::vector<std::string> key_material::default_key_ops() const {
  switch (type_.family) {
  case key_family::rsa:
    return {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"};
  case key_family::ec:
    return {"sign", "verify"};
  case key_family::oct:
    return {"encrypt", "decrypt", "wrapKey", "unwrapKey"};
  }
  return {};
}

} // namespace bulkd::emulator::keyvault
