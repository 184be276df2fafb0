#include "clients/error.hpp"
#include "clients/identity/form.hpp"
#include "clients/identity/managed_identity_credential.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace bulkd;
using namespace bulkd::identity;

namespace {

struct split_target {
  std::string path;
  form_fields query;
};

split_target split(const std::string& target) {
  auto q = target.find('?');
  REQUIRE(q != std::string::npos);
  auto query = form_decode(target.substr(q + 1));
  REQUIRE(query);
  return {target.substr(0, q), *query};
}

credential_ptr from_env(environment env, std::string client_id = {}, std::string endpoint = {}) {
  auto c = managed_identity_from_environment(env, std::move(client_id), std::move(endpoint));
  REQUIRE(c);
  return *c;
}

} // namespace

TEST_CASE("IMDS token requests", "[identity][managed-identity]") {
  auto cred = from_env(environment{});
  CHECK(cred->kind() == "managed-identity");
  CHECK(cred->describe() == "managed-identity (IMDS, endpoint "
                            "http://169.254.169.254/metadata/identity/oauth2/token, "
                            "system-assigned)");
  auto req = cred->token_request({});
  REQUIRE(req);
  CHECK(req->method == "GET");
  CHECK(req->origin == "http://169.254.169.254:80");
  auto t = split(req->target);
  CHECK(t.path == "/metadata/identity/oauth2/token");
  CHECK(t.query ==
        form_fields{{"api-version", "2018-02-01"}, {"resource", "https://vault.azure.net"}});
  CHECK(req->target == "/metadata/identity/oauth2/"
                       "token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net");
  CHECK(req->headers.value("Metadata") == "true");
  CHECK_FALSE(req->headers.contains("X-IDENTITY-HEADER"));
  CHECK(req->body.empty());

  SECTION("a user-assigned identity; a challenge's tenant is ignored") {
    auto user = from_env(environment{}, "11111111-2222-3333-4444-555555555555");
    auto r = user->token_request({"https://vault.azure.net/.default", "other-tenant", {}});
    REQUIRE(r);
    CHECK(split(r->target).query ==
          form_fields{{"api-version", "2018-02-01"},
                      {"resource", "https://vault.azure.net"},
                      {"client_id", "11111111-2222-3333-4444-555555555555"}});
  }
  SECTION("the emulator's endpoint") {
    auto local =
        from_env(environment{}, {}, "http://127.0.0.1:8081/metadata/identity/oauth2/token");
    auto r = local->token_request({"https://127.0.0.1/.default", "", {}});
    REQUIRE(r);
    CHECK(r->origin == "http://127.0.0.1:8081");
    CHECK(split(r->target).query ==
          form_fields{{"api-version", "2018-02-01"}, {"resource", "https://127.0.0.1"}});
  }
  SECTION("AZURE_POD_IDENTITY_AUTHORITY_HOST") {
    auto pod =
        from_env(environment{{{"AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://localhost:8080/"}}});
    auto r = pod->token_request({});
    REQUIRE(r);
    CHECK(r->origin == "http://localhost:8080");
    CHECK(split(r->target).path == "/metadata/identity/oauth2/token");
  }
}

TEST_CASE("App Service token requests", "[identity][managed-identity]") {
  environment env{{{"IDENTITY_ENDPOINT", "http://127.0.0.1:41741/MSI/token/"},
                   {"IDENTITY_HEADER", "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a"}}};
  auto cred = from_env(env, "client-x");
  CHECK(cred->describe() == "managed-identity (App Service, endpoint "
                            "http://127.0.0.1:41741/MSI/token/, client client-x)");
  auto req = cred->token_request({});
  REQUIRE(req);
  CHECK(req->method == "GET");
  CHECK(req->origin == "http://127.0.0.1:41741");
  auto t = split(req->target);
  CHECK(t.path == "/MSI/token/");
  CHECK(t.query == form_fields{{"api-version", "2019-08-01"},
                               {"resource", "https://vault.azure.net"},
                               {"client_id", "client-x"}});
  CHECK(req->headers.value("X-IDENTITY-HEADER") == "853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a");
  CHECK_FALSE(req->headers.contains("Metadata"));
  CHECK(cred->describe().find("853b9a84") == std::string::npos);
  // IDENTITY_ENDPOINT alone (Azure Arc's half) is not App Service: IMDS.
  auto arc = from_env(environment{
      {{"IDENTITY_ENDPOINT", "http://localhost:40342/metadata/identity/oauth2/token"}}});
  CHECK(arc->describe().starts_with("managed-identity (IMDS"));
}

TEST_CASE("IMDS answers with numbers as strings", "[identity][managed-identity]") {
  auto cred = from_env(environment{});
  auto req = cred->token_request({});
  REQUIRE(req);
  http_response resp;
  resp.status = 200;
  resp.body =
      R"({"access_token":"eyJ0eXAi","client_id":"c","expires_in":"86399","expires_on":"1800086399","ext_expires_in":"86399","not_before":"1799999700","resource":"https://vault.azure.net","token_type":"Bearer"})";
  auto now = std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000}};
  auto t = cred->parse_token_response(*req, resp, now);
  REQUIRE(t);
  CHECK(t->expires_on == now + std::chrono::seconds{86399});
  resp.status = 400;
  resp.body = R"({"error":"invalid_request","error_description":"Identity not found"})";
  auto err = cred->parse_token_response(*req, resp, now);
  REQUIRE_FALSE(err);
  CHECK(render(err.error()) ==
        "unauthorized: managed-identity credential: token request GET "
        "http://169.254.169.254:80/metadata/identity/oauth2/token failed with 400: "
        "invalid_request: Identity not found");
}

TEST_CASE("bad managed identity configuration", "[identity][managed-identity]") {
  auto reason = [](managed_identity_options opts) {
    auto c = make_managed_identity_credential(std::move(opts));
    REQUIRE_FALSE(c);
    return render(c.error());
  };
  CHECK(reason({managed_identity_source::app_service, "", "", "h"}) ==
        "invalid_argument: managed-identity credential: App Service needs IDENTITY_ENDPOINT");
  CHECK(reason({managed_identity_source::app_service, "", "http://x/token", ""}) ==
        "invalid_argument: managed-identity credential: App Service needs IDENTITY_HEADER");
  CHECK(reason({managed_identity_source::imds, "", "169.254.169.254/token", ""}) ==
        "invalid_argument: managed-identity credential: invalid endpoint: invalid URL "
        "\"169.254.169.254/token\": missing scheme (expected http:// or https://)");
  CHECK(scope_to_resource("https://vault.azure.net/.default") == "https://vault.azure.net");
  CHECK(scope_to_resource("https://vault.azure.net") == "https://vault.azure.net");
}
