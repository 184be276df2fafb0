// The identity client's parsers: token endpoint answers (AAD, IMDS, App Service; a secret the
// request carried must never show up in an error, however the answer spells it),
// WWW-Authenticate challenges (the tenant and scope they may steer), form bodies and authority
// hosts. The first byte picks the parser; see fuzz_support.hpp for the response text format.

#include "clients/error.hpp"
#include "clients/identity/authority.hpp"
#include "clients/identity/challenge.hpp"
#include "clients/identity/credential.hpp"
#include "clients/identity/form.hpp"
#include "clients/identity/managed_identity_credential.hpp"
#include "clients/identity/token_response.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <chrono>

using namespace bulkd;
using namespace bulkd::identity;
using bulkd::fuzz::response_from;

namespace {

constexpr std::string_view client_secret = "Zq8~s3cr3t.Value_42";
constexpr std::string_view identity_header = "9f1c2b7e-identity-header";

const seconds_clock_time now{std::chrono::seconds{1700000000}};

void token_answer(const http_request& sent, std::string_view text,
                  std::initializer_list<std::string_view> secrets) {
  auto resp = response_from(text);
  auto tok = parse_token_response("fuzzed credential", sent, resp, now);
  if (!tok) {
    auto message = render(tok.error());
    for (auto secret : secrets) {
      BULKD_FUZZ_CHECK(message.find(secret) == std::string::npos);
      BULKD_FUZZ_CHECK(message.find(percent_encode(secret)) == std::string::npos);
    }
    return;
  }
  BULKD_FUZZ_CHECK(!tok->value.empty());
  BULKD_FUZZ_CHECK(tok->expires_on >= tok->obtained);
  (void)tok->expired(now);
}

void challenge(std::string_view text) {
  if (auto all = parse_www_authenticate(text); all)
    for (const auto& c : *all)
      (void)c.param("authorization");
  auto bearer = parse_bearer_challenge(text);
  if (!bearer) {
    (void)render(bearer.error());
    return;
  }
  // Whatever the challenge says, the tenant is one path segment and tokens go to the
  // configured authority.
  if (!check_tenant(bearer->tenant)) {
    auto endpoint = token_endpoint("https://login.microsoftonline.com", bearer->tenant);
    BULKD_FUZZ_CHECK(endpoint.rfind("https://login.microsoftonline.com/", 0) == 0);
  }
  if (!verify_challenge_scope(*bearer, "myvault.vault.azure.net"))
    BULKD_FUZZ_CHECK(!bearer->scope.empty());
  (void)resolve_tenant("tenant-1", bearer->tenant, {});
  (void)scope_to_resource(bearer->scope);
  (void)check_scope(bearer->scope);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [selector, text] = bulkd::fuzz::select(data, size);
  switch (selector % 6) {
  case 0: {
    auto sent =
        client_credentials_request("https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token",
                                   form_encode({{"grant_type", "client_credentials"},
                                                {"client_id", "client-1"},
                                                {"client_secret", std::string{client_secret}},
                                                {"scope", "https://vault.azure.net/.default"}}));
    token_answer(sent, text, {client_secret});
    break;
  }
  case 1: {
    http_request sent;
    sent.origin = "http://127.0.0.1:41234";
    sent.target = "/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net";
    sent.headers.add("X-IDENTITY-HEADER", std::string{identity_header});
    token_answer(sent, text, {identity_header});
    break;
  }
  case 2:
    challenge(text);
    break;
  case 3: {
    auto resp = response_from(text);
    if (auto bearer = challenge_of(resp); bearer)
      (void)verify_challenge_scope(*bearer, "myvault.vault.azure.net");
    break;
  }
  case 4: {
    auto fields = form_decode(text);
    if (fields) {
      auto again = form_decode(form_encode(*fields));
      BULKD_FUZZ_CHECK(again && *again == *fields);
    }
    (void)form_decode_component(text);
    break;
  }
  case 5: {
    if (auto host = normalize_authority_host(text); host)
      (void)token_endpoint(*host, "tenant-1");
    if (!check_tenant(text)) {
      auto endpoint = token_endpoint("https://login.microsoftonline.com", text);
      BULKD_FUZZ_CHECK(endpoint.find("/../") == std::string::npos);
    }
    break;
  }
  }
  return 0;
}
