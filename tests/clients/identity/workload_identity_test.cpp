#include "clients/error.hpp"
#include "clients/identity/form.hpp"
#include "clients/identity/workload_identity_credential.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace bulkd;
using namespace bulkd::identity;

namespace {

std::map<std::string, std::string> form_of(const http_request& req) {
  auto fields = form_decode(req.body);
  REQUIRE(fields);
  return {fields->begin(), fields->end()};
}

} // namespace

TEST_CASE("workload identity re-reads the token file for every request",
          "[identity][workload-identity]") {
  test::temp_dir dir;
  auto file = dir.write("token", "eyJhbGciOiJSUzI1NiJ9.first.sig\n");
  environment env{{{"AZURE_TENANT_ID", "tenant-1"},
                   {"AZURE_CLIENT_ID", "app-id"},
                   {"AZURE_FEDERATED_TOKEN_FILE", file},
                   {"AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/"}}};
  auto cred = workload_identity_from_environment(env);
  REQUIRE(cred);
  CHECK((*cred)->kind() == "workload-identity");
  auto first = (*cred)->token_request({});
  REQUIRE(first);
  CHECK(first->method == "POST");
  CHECK(first->origin == "https://login.microsoftonline.us:443");
  CHECK(first->target == "/tenant-1/oauth2/v2.0/token");
  CHECK(first->headers.value("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(form_of(*first) ==
        std::map<std::string, std::string>{
            {"grant_type", "client_credentials"},
            {"client_id", "app-id"},
            {"scope", "https://vault.azure.net/.default"},
            {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
            {"client_assertion", "eyJhbGciOiJSUzI1NiJ9.first.sig"}});
  // The kubelet rotates the file.
  dir.write("token", "eyJhbGciOiJSUzI1NiJ9.second.sig");
  auto second = (*cred)->token_request({});
  REQUIRE(second);
  CHECK(form_of(*second).at("client_assertion") == "eyJhbGciOiJSUzI1NiJ9.second.sig");

  // The assertion is a secret: an echoing error does not show it.
  http_response refused;
  refused.status = 401;
  refused.body =
      R"({"error":"invalid_client","error_description":"AADSTS700024: Client assertion eyJhbGciOiJSUzI1NiJ9.second.sig is not within its valid time range."})";
  auto err = (*cred)->parse_token_response(*second, refused, {});
  REQUIRE_FALSE(err);
  CHECK(render(err.error()) ==
        "unauthorized: workload-identity credential: token request POST "
        "https://login.microsoftonline.us:443/tenant-1/oauth2/v2.0/token failed with 401: "
        "invalid_client: AADSTS700024: Client assertion [redacted] is not within its valid time "
        "range.");

  // The file disappears or is emptied: errors name the file, not its content.
  std::filesystem::remove(file);
  auto gone = (*cred)->token_request({});
  REQUIRE_FALSE(gone);
  CHECK(render(gone.error()) == "io_error: workload-identity credential: cannot read the "
                                "federated token file " +
                                    file + ": No such file or directory");
  dir.write("token", "\n");
  auto empty = (*cred)->token_request({});
  REQUIRE_FALSE(empty);
  CHECK(render(empty.error()) == "invalid_argument: workload-identity credential: the federated "
                                 "token file " +
                                     file + " is empty");
}

TEST_CASE("workload identity needs its variables", "[identity][workload-identity]") {
  auto reason = [](environment env) {
    auto c = workload_identity_from_environment(env);
    REQUIRE_FALSE(c);
    return render(c.error());
  };
  CHECK(reason(environment{}) ==
        "invalid_argument: workload-identity credential: AZURE_TENANT_ID, AZURE_CLIENT_ID, "
        "AZURE_FEDERATED_TOKEN_FILE not set");
  CHECK(reason(environment{{{"AZURE_TENANT_ID", "t"}, {"AZURE_FEDERATED_TOKEN_FILE", "/f"}}}) ==
        "invalid_argument: workload-identity credential: AZURE_CLIENT_ID not set");
  CHECK(reason(environment{{{"AZURE_TENANT_ID", "t"},
                            {"AZURE_CLIENT_ID", "c"},
                            {"AZURE_FEDERATED_TOKEN_FILE", "/f"},
                            {"AZURE_AUTHORITY_HOST", "http://login.example.com"}}}) ==
        "invalid_argument: workload-identity credential: authority host "
        "\"http://login.example.com\" must use https (http only on loopback, for the emulator)");
  // Options win over the environment.
  auto c = workload_identity_from_environment(environment{{{"AZURE_TENANT_ID", "env-tenant"},
                                                           {"AZURE_CLIENT_ID", "c"},
                                                           {"AZURE_FEDERATED_TOKEN_FILE", "/f"}}},
                                              {"opt-tenant", "", "", "", {}});
  REQUIRE(c);
  CHECK((*c)->describe() == "workload-identity (tenant opt-tenant, client c, token file /f, "
                            "authority https://login.microsoftonline.com)");
}
