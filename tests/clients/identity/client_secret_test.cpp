#include "clients/error.hpp"
#include "clients/identity/client_secret_credential.hpp"
#include "clients/identity/form.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace bulkd;
using namespace bulkd::identity;

namespace {

std::map<std::string, std::string> form_of(const http_request& req) {
  auto fields = form_decode(req.body);
  REQUIRE(fields);
  std::map<std::string, std::string> out;
  for (auto& [k, v] : *fields) {
    INFO(k);
    CHECK(out.count(k) == 0);
    out[k] = v;
  }
  return out;
}

credential_ptr make(client_secret_options opts) {
  auto c = make_client_secret_credential(std::move(opts));
  REQUIRE(c);
  return *c;
}

} // namespace

TEST_CASE("client secret: the token request of the reference", "[identity][client-secret]") {
  auto cred = make({"tenant-1", "app-id", "s3cr+et&=value", {}, {}});
  CHECK(cred->kind() == "client-secret");
  CHECK(cred->describe() == "client-secret (tenant tenant-1, client app-id, authority "
                            "https://login.microsoftonline.com)");
  auto req = cred->token_request({});
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->origin == "https://login.microsoftonline.com:443");
  CHECK(req->target == "/tenant-1/oauth2/v2.0/token");
  CHECK(req->headers.value("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(req->headers.value("Accept") == "application/json");
  CHECK(form_of(*req) ==
        std::map<std::string, std::string>{{"grant_type", "client_credentials"},
                                           {"client_id", "app-id"},
                                           {"client_secret", "s3cr+et&=value"},
                                           {"scope", "https://vault.azure.net/.default"}});
  // Encoded on the wire.
  CHECK(req->body.find("scope=https%3A%2F%2Fvault.azure.net%2F.default") != std::string::npos);
  CHECK(req->body.find("client_secret=s3cr%2Bet%26%3Dvalue") != std::string::npos);
}

TEST_CASE("client secret: authority hosts and tenants", "[identity][client-secret]") {
  SECTION("an emulator on loopback over http, with a port and trailing slash") {
    auto cred = make({"00000000-0000-0000-0000-000000000000",
                      "bulkd-dev",
                      "bulkd-dev-secret",
                      "http://127.0.0.1:8081/",
                      {}});
    auto req = cred->token_request({"https://127.0.0.1/.default", "", {}});
    REQUIRE(req);
    CHECK(req->origin == "http://127.0.0.1:8081");
    CHECK(req->target == "/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token");
    CHECK(form_of(*req).at("scope") == "https://127.0.0.1/.default");
  }
  SECTION("a sovereign cloud") {
    auto cred = make({"t", "c", "s", "https://login.chinacloudapi.cn", {}});
    auto req = cred->token_request({});
    REQUIRE(req);
    CHECK(req->origin == "https://login.chinacloudapi.cn:443");
  }
  SECTION("adfs") {
    auto cred = make({"adfs", "c", "s", "https://adfs.contoso.com", {}});
    auto req = cred->token_request({});
    REQUIRE(req);
    CHECK(req->target == "/adfs/oauth2/token");
  }
  SECTION("a challenge's tenant only when allowed") {
    auto strict = make({"tenant-1", "c", "s", {}, {}});
    auto same = strict->token_request({std::string{keyvault_scope}, "TENANT-1", {}});
    REQUIRE(same);
    CHECK(same->target == "/tenant-1/oauth2/v2.0/token");
    auto other = strict->token_request({std::string{keyvault_scope}, "tenant-2", {}});
    REQUIRE_FALSE(other);
    CHECK(render(other.error()) ==
          "unauthorized: the vault asks for a token of tenant \"tenant-2\", not the configured "
          "tenant \"tenant-1\" (allow it in additionally_allowed_tenants)");
    auto listed = make({"tenant-1", "c", "s", {}, {"tenant-2"}});
    auto ok = listed->token_request({std::string{keyvault_scope}, "tenant-2", {}});
    REQUIRE(ok);
    CHECK(ok->target == "/tenant-2/oauth2/v2.0/token");
    auto any = make({"tenant-1", "c", "s", {}, {"*"}});
    auto bad_tenant = any->token_request({std::string{keyvault_scope}, "a/b", {}});
    REQUIRE_FALSE(bad_tenant);
    CHECK(render(bad_tenant.error()) ==
          "invalid_argument: invalid tenant id \"a/b\" (expected letters, digits, '.', '-', '_')");
  }
}

TEST_CASE("client secret: bad configuration never shows the secret",
          "[identity][client-secret][secrets]") {
  auto reason = [](client_secret_options opts) {
    auto c = make_client_secret_credential(std::move(opts));
    REQUIRE_FALSE(c);
    auto msg = render(c.error());
    CHECK(msg.find("TOPSECRET") == std::string::npos);
    return msg;
  };
  CHECK(reason({"", "c", "TOPSECRET", {}, {}}) ==
        "invalid_argument: client-secret credential: empty tenant id");
  CHECK(reason({"t/x", "c", "TOPSECRET", {}, {}}) ==
        "invalid_argument: client-secret credential: invalid tenant id \"t/x\" (expected "
        "letters, digits, '.', '-', '_')");
  CHECK(reason({"t", "", "TOPSECRET", {}, {}}) ==
        "invalid_argument: client-secret credential: empty client id");
  CHECK(reason({"t", "c", "", {}, {}}) ==
        "invalid_argument: client-secret credential: empty client secret");
  CHECK(reason({"t", "c", "TOPSECRET", "http://login.example.com", {}}) ==
        "invalid_argument: client-secret credential: authority host \"http://login.example.com\" "
        "must use https (http only on loopback, for the emulator)");
  CHECK(reason({"t", "c", "TOPSECRET", "https://login.example.com/?x=1", {}}) ==
        "invalid_argument: client-secret credential: authority host "
        "\"https://login.example.com/?x=1\" has a query");
  CHECK(reason({"t", "c", "TOPSECRET", "login.example.com", {}}) ==
        "invalid_argument: client-secret credential: invalid authority host: invalid URL "
        "\"login.example.com\": missing scheme (expected http:// or https://)");
  auto cred = make({"t", "c", "TOPSECRET", {}, {}});
  CHECK(cred->describe().find("TOPSECRET") == std::string::npos);
  auto no_scope = cred->token_request({"", "", {}});
  REQUIRE_FALSE(no_scope);
  CHECK(render(no_scope.error()) == "invalid_argument: empty token scope");
  auto bad_scope = cred->token_request({"vault", "", {}});
  REQUIRE_FALSE(bad_scope);
  CHECK(render(bad_scope.error()) ==
        "invalid_argument: token scope \"vault\" is not an http(s) URL");
}

TEST_CASE("client secret: the answer becomes a token", "[identity][client-secret]") {
  auto cred = make({"t", "c", "TOPSECRET", {}, {}});
  auto req = cred->token_request({});
  REQUIRE(req);
  http_response ok;
  ok.status = 200;
  ok.body =
      R"({"token_type":"Bearer","expires_in":3600,"ext_expires_in":3600,"access_token":"tok"})";
  auto now = std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000}};
  auto t = cred->parse_token_response(*req, ok, now);
  REQUIRE(t);
  CHECK(t->value == "tok");
  CHECK(t->expires_on == now + std::chrono::hours{1});
  http_response refused;
  refused.status = 401;
  refused.body =
      R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided: TOPSECRET"})";
  auto err = cred->parse_token_response(*req, refused, now);
  REQUIRE_FALSE(err);
  CHECK(render(err.error()) ==
        "unauthorized: client-secret credential: token request POST "
        "https://login.microsoftonline.com:443/t/oauth2/v2.0/token failed with 401: "
        "invalid_client: AADSTS7000215: Invalid client secret provided: [redacted]");
}

TEST_CASE("form encoding round-trips and refuses broken data", "[identity][form]") {
  form_fields fields{{"a b", "x&y=z"}, {"e", ""}, {"u", "\xc3\xa9~._-"}};
  auto encoded = form_encode(fields);
  CHECK(encoded == "a%20b=x%26y%3Dz&e=&u=%C3%A9~._-");
  auto decoded = form_decode(encoded);
  REQUIRE(decoded);
  CHECK(*decoded == fields);
  auto plus = form_decode("a=1+2&&b=%2b");
  REQUIRE(plus);
  CHECK(*plus == form_fields{{"a", "1 2"}, {"b", "+"}});
  auto reason = [](std::string_view body) {
    auto r = form_decode(body);
    REQUIRE_FALSE(r);
    return render(r.error());
  };
  CHECK(reason("a=%2") == "parse_error: truncated %-escape in form data");
  CHECK(reason("a=%zz") == "parse_error: invalid %-escape in form data");
  CHECK(reason("client_secret") == "parse_error: form field without '='");
}
