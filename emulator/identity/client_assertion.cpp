#include "emulator/identity/client_assertion.hpp"

#include "clients/base64url.hpp"
#include "clients/error.hpp"

namespace bulkd::emulator::identity {

namespace {

using json = nlohmann::json;

assertion_check reject(jwt_fault fault, std::string detail, std::string thumbprint = {}) {
  return {fault, std::move(detail), std::move(thumbprint)};
}

std::string normalized(std::string_view url) {
  if (!url.empty() && url.back() == '/')
    url.remove_suffix(1);
  std::string out{url};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 32);
  return s;
}

std::string header_string(const json& header, const char* name) {
  auto i = header.find(name);
  return i != header.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

} // namespace

assertion_check verify_client_assertion(std::string_view assertion, std::string_view client_id,
                                        const std::vector<client_certificate>& certificates,
                                        const std::vector<std::string>& token_endpoints,
                                        int64_t now, int64_t skew_seconds) {
  auto parsed = parse_jwt(assertion);
  if (!parsed)
    return reject(jwt_fault::malformed, render(parsed.error()));
  auto& header = parsed->header;
  auto& payload = parsed->payload;
  auto alg = header_string(header, "alg");
  if (alg != "RS256" && alg != "PS256")
    return reject(jwt_fault::bad_signature, "alg '" + alg + "' is not RS256 or PS256");

  // Which certificate does the header name?
  auto x5t = header_string(header, "x5t");
  auto x5t256 = header_string(header, "x5t#S256");
  auto kid = upper(header_string(header, "kid"));
  std::string named;
  const client_certificate* cert = nullptr;
  if (!x5t256.empty()) {
    auto digest = base64url_decode(x5t256);
    if (!digest)
      return reject(jwt_fault::malformed, "x5t#S256 is not base64url");
    for (auto& c : certificates)
      if (c.sha256() == *digest)
        cert = &c;
    named = cert ? cert->thumbprint_hex() : "x5t#S256 " + x5t256;
  } else if (!x5t.empty()) {
    auto digest = base64url_decode(x5t);
    if (!digest)
      return reject(jwt_fault::malformed, "x5t is not base64url");
    named = to_hex(*digest);
    for (auto& c : certificates)
      if (c.sha1() == *digest)
        cert = &c;
  } else if (!kid.empty()) {
    named = kid;
    for (auto& c : certificates)
      if (c.thumbprint_hex() == kid)
        cert = &c;
  } else {
    return reject(jwt_fault::malformed, "the header names no certificate (x5t, x5t#S256 or kid)");
  }
  if (!cert)
    return reject(jwt_fault::unknown_key,
                  "certificate " + named + " is not registered for client '" +
                      std::string{client_id} + "'",
                  named);
  if (!verify_jwt_signature(*parsed, cert->public_key()))
    return reject(jwt_fault::bad_signature, "signature does not verify with certificate " + named,
                  named);

  auto aud = payload.find("aud");
  auto iss = payload.find("iss");
  auto sub = payload.find("sub");
  auto exp = numeric_claim(payload, "exp");
  auto nbf = numeric_claim(payload, "nbf");
  if (aud == payload.end() || iss == payload.end() || sub == payload.end() || !exp)
    return reject(jwt_fault::malformed, "the assertion lacks aud, iss, sub or exp", named);
  // aud may be a string or an array of strings (RFC 7519 §4.1.3).
  std::vector<std::string> audiences;
  if (aud->is_string())
    audiences.push_back(aud->get<std::string>());
  else if (aud->is_array())
    for (auto& a : *aud)
      if (a.is_string())
        audiences.push_back(a.get<std::string>());
  bool audience_ok = false;
  for (auto& a : audiences)
    for (auto& endpoint : token_endpoints)
      audience_ok = audience_ok || normalized(a) == normalized(endpoint);
  if (!audience_ok)
    return reject(jwt_fault::wrong_audience,
                  "audience " + aud->dump() + " is not this token endpoint", named);
  if (*iss != client_id || *sub != client_id)
    return reject(jwt_fault::wrong_issuer,
                  "iss and sub must both be the client id '" + std::string{client_id} + "'", named);
  if (now >= *exp + skew_seconds)
    return reject(
        jwt_fault::expired,
        "assertion expired at " + std::to_string(*exp) + ", now is " + std::to_string(now), named);
  if (nbf && now + skew_seconds < *nbf)
    return reject(jwt_fault::not_yet_valid,
                  "assertion is not valid before " + std::to_string(*nbf) + ", now is " +
                      std::to_string(now),
                  named);
  return {jwt_fault::none, {}, named};
}

} // namespace bulkd::emulator::identity
