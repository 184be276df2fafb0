#include "emulator/identity/token_issuer.hpp"

#include "clients/base64url.hpp"
#include "clients/error.hpp"
#include "emulator/keyvault/openssl_support.hpp"

#include <nlohmann/json.hpp>

namespace bulkd::emulator::identity {

namespace {

using json = nlohmann::json;
namespace ossl = bulkd::emulator::openssl;

std::string trim_slash(std::string_view s) {
  if (!s.empty() && s.back() == '/')
    s.remove_suffix(1);
  return std::string{s};
}

bool same_audience(std::string_view a, std::string_view b) {
  auto x = trim_slash(a);
  auto y = trim_slash(b);
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(x[i]) != lower(y[i]))
      return false;
  }
  return true;
}

token_check reject(jwt_fault fault, std::string detail) {
  token_check out;
  out.fault = fault;
  out.detail = std::move(detail);
  return out;
}

std::string string_claim(const json& payload, const char* name) {
  auto i = payload.find(name);
  return i != payload.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

} // namespace

std::string audience_of_scope(std::string_view scope) {
  constexpr std::string_view suffix = "/.default";
  if (scope.size() >= suffix.size() && scope.substr(scope.size() - suffix.size()) == suffix)
    scope.remove_suffix(suffix.size());
  return std::string{scope};
}

std::string object_id_for(std::string_view tenant, std::string_view client_id) {
  auto digest = ossl::digest("SHA256", std::string{tenant} + "/" + std::string{client_id});
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    auto b = static_cast<unsigned char>(digest[i]);
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

std::string rsa_jwk_thumbprint(const json& public_jwk) {
  // The required members in lexicographic order, no whitespace.
  auto canonical = R"({"e":")" + public_jwk.at("e").get<std::string>() + R"(","kty":"RSA","n":")" +
                   public_jwk.at("n").get<std::string>() + R"("})";
  return base64url_encode(ossl::digest("SHA256", canonical));
}

caf::expected<token_issuer> token_issuer::make(keyvault::key_material signing_key,
                                               token_issuer_config config) {
  if (signing_key.family() != keyvault::key_family::rsa || !signing_key.has_private())
    return make_error(ec::invalid_argument, "the token signing key must be an RSA private key");
  if (config.authority.empty())
    return make_error(ec::invalid_argument, "the token issuer needs an authority URL");
  if (config.lifetime_seconds <= 0 || config.skew_seconds < 0)
    return make_error(ec::invalid_argument, "token lifetime must be positive and skew >= 0");
  config.authority = trim_slash(config.authority);
  token_issuer out;
  // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
  auto pub = signing_key.public_jwk();
  auto canonical = R"({"e":")" + pub.at("e").get<std::string>() + R"(","kty":"RSA","n":")" +
                   pub.at("n").get<std::string>() + R"("})";
  out.key_id_ = base64url_encode(ossl::digest("SHA256", canonical));
  out.key_ = std::move(signing_key);
  out.config_ = std::move(config);
  return out;
}

std::string token_issuer::issuer_for(std::string_view tenant) const {
  return config_.authority + "/" + std::string{tenant} + "/v2.0";
}

std::string token_issuer::token_endpoint_for(std::string_view tenant) const {
  return config_.authority + "/" + std::string{tenant} + "/oauth2/v2.0/token";
}

json token_issuer::openid_configuration(std::string_view tenant) const {
  auto base = config_.authority + "/" + std::string{tenant};
  return {{"issuer", issuer_for(tenant)},
          {"token_endpoint", token_endpoint_for(tenant)},
          {"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
          {"end_session_endpoint", base + "/oauth2/v2.0/logout"},
          {"jwks_uri", base + "/discovery/v2.0/keys"},
          {"token_endpoint_auth_methods_supported",
           {"client_secret_post", "private_key_jwt", "client_secret_basic"}},
          {"grant_types_supported", {"client_credentials"}},
          {"response_types_supported", {"code", "id_token", "code id_token", "id_token token"}},
          {"subject_types_supported", {"pairwise"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
          {"tenant_region_scope", nullptr}};
}

json token_issuer::jwks() const {
  auto pub = key_.public_jwk();
  return {{"keys", json::array({{{"kty", "RSA"},
                                 {"use", "sig"},
                                 {"kid", key_id_},
                                 {"alg", "RS256"},
                                 {"n", pub.at("n")},
                                 {"e", pub.at("e")}}})}};
}

caf::expected<issued_token> token_issuer::issue(std::string_view tenant, std::string_view client_id,
                                                std::string_view audience, int64_t now) const {
  if (tenant.empty() || client_id.empty() || audience.empty())
    return make_error(ec::invalid_argument, "a token needs a tenant, a client id and an audience");
  auto oid = object_id_for(tenant, client_id);
  json header{{"typ", "JWT"}, {"alg", "RS256"}, {"kid", key_id_}};
  json payload{{"aud", std::string{audience}},
               {"iss", issuer_for(tenant)},
               {"iat", now},
               {"nbf", now},
               {"exp", now + config_.lifetime_seconds},
               {"tid", std::string{tenant}},
               {"appid", std::string{client_id}},
               {"azp", std::string{client_id}},
               {"oid", oid},
               {"sub", oid},
               {"idtyp", "app"},
               {"ver", "2.0"}};
  auto token = sign_jwt(header, payload, key_.pkey());
  if (!token)
    return token.error();
  return issued_token{std::move(*token), std::string{audience}, config_.lifetime_seconds,
                      now + config_.lifetime_seconds};
}

token_check token_issuer::verify(std::string_view token, const std::vector<std::string>& audiences,
                                 int64_t now) const {
  auto parsed = parse_jwt(token);
  if (!parsed)
    return reject(jwt_fault::malformed, render(parsed.error()));
  auto& header = parsed->header;
  auto& payload = parsed->payload;
  if (header.value("alg", json{}) != "RS256")
    return reject(jwt_fault::bad_signature, "alg must be RS256");
  if (header.value("kid", json{}) != key_id_)
    return reject(jwt_fault::unknown_key, "token was signed by another key (kid differs)");
  if (!verify_jwt_signature(*parsed, key_.pkey()))
    return reject(jwt_fault::bad_signature, "signature does not verify");
  token_check out;
  auto& c = out.claims;
  c.issuer = string_claim(payload, "iss");
  c.audience = string_claim(payload, "aud");
  c.tenant = string_claim(payload, "tid");
  c.client_id = string_claim(payload, "appid");
  c.object_id = string_claim(payload, "oid");
  auto iat = numeric_claim(payload, "iat");
  auto nbf = numeric_claim(payload, "nbf");
  auto exp = numeric_claim(payload, "exp");
  if (c.issuer.empty() || c.audience.empty() || c.tenant.empty() || c.client_id.empty() || !exp)
    return reject(jwt_fault::malformed, "token lacks iss, aud, tid, appid or exp");
  c.issued_at = iat.value_or(0);
  c.not_before = nbf.value_or(0);
  c.expires = *exp;
  if (c.issuer != issuer_for(c.tenant))
    return reject(jwt_fault::wrong_issuer,
                  "issuer '" + c.issuer + "' is not '" + issuer_for(c.tenant) + "'");
  bool audience_ok = false;
  for (auto& a : audiences)
    audience_ok = audience_ok || same_audience(a, c.audience);
  if (!audience_ok)
    return reject(jwt_fault::wrong_audience, "audience '" + c.audience + "' is not accepted here");
  if (now >= c.expires + config_.skew_seconds)
    return reject(jwt_fault::expired, "token expired at " + std::to_string(c.expires) +
                                          ", now is " + std::to_string(now));
  if (nbf && now + config_.skew_seconds < *nbf)
    return reject(jwt_fault::not_yet_valid, "token is not valid before " + std::to_string(*nbf) +
                                                ", now is " + std::to_string(now));
  return out;
}

} // namespace bulkd::emulator::identity
