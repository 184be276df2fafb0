#include "clients/error.hpp"
#include "clients/identity/default_credential.hpp"
#include "temp_dir.hpp"
#include "test_certificate.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::identity;

namespace {

credential_choice choose(environment env, default_credential_options opts = {}) {
  auto c = select_default_credential(env, opts);
  REQUIRE(c);
  REQUIRE(c->credential);
  return *c;
}

} // namespace

TEST_CASE("default: the environment's client secret comes first", "[identity][default]") {
  test::temp_dir dir;
  auto c = choose(environment{{{"AZURE_TENANT_ID", "t"},
                               {"AZURE_CLIENT_ID", "c"},
                               {"AZURE_CLIENT_SECRET", "TOPSECRET"},
                               {"AZURE_CLIENT_CERTIFICATE_PATH", dir.path("missing.pem")},
                               {"AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"},
                               {"IDENTITY_ENDPOINT", "http://127.0.0.1:1/token"},
                               {"IDENTITY_HEADER", "h"},
                               {"AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us"}}});
  CHECK(c.credential->kind() == "client-secret");
  CHECK(c.reason == "AZURE_CLIENT_SECRET is set: client-secret (tenant t, client c, authority "
                    "https://login.microsoftonline.us)");
  CHECK(c.reason.find("TOPSECRET") == std::string::npos);
  auto req = c.credential->token_request({});
  REQUIRE(req);
  CHECK(req->origin == "https://login.microsoftonline.us:443");
}

TEST_CASE("default: then the environment's certificate", "[identity][default]") {
  test::temp_dir dir;
  auto pem = test::make_test_certificate();
  auto path = dir.write("cert.pem", pem.cert_pem + pem.key_pem);
  environment env{{{"AZURE_TENANT_ID", "t"},
                   {"AZURE_CLIENT_ID", "c"},
                   {"AZURE_CLIENT_SECRET", ""}, // set but empty counts as unset
                   {"AZURE_CLIENT_CERTIFICATE_PATH", path},
                   {"AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"}}};
  auto c = choose(env);
  CHECK(c.credential->kind() == "client-certificate");
  CHECK(c.reason.starts_with("AZURE_CLIENT_CERTIFICATE_PATH is set: client-certificate (tenant "
                             "t, client c, thumbprint "));
  // A configured but unreadable certificate is an error, not a silent fallback.
  env.set("AZURE_CLIENT_CERTIFICATE_PATH", dir.path("missing.pem"));
  auto broken = select_default_credential(env);
  REQUIRE_FALSE(broken);
  CHECK(render(broken.error()) ==
        "io_error: default credential (AZURE_CLIENT_CERTIFICATE_PATH is set): client "
        "certificate: cannot read " +
            dir.path("missing.pem") + ": No such file or directory");
}

TEST_CASE("default: then workload identity", "[identity][default]") {
  auto c = choose(environment{{{"AZURE_TENANT_ID", "t"},
                               {"AZURE_CLIENT_ID", "c"},
                               {"AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"},
                               {"IDENTITY_ENDPOINT", "http://127.0.0.1:1/token"},
                               {"IDENTITY_HEADER", "h"}}});
  CHECK(c.credential->kind() == "workload-identity");
  CHECK(c.reason == "AZURE_FEDERATED_TOKEN_FILE is set: workload-identity (tenant t, client c, "
                    "token file /var/run/token, authority https://login.microsoftonline.com)");
  // An incomplete environment credential is skipped, and said so.
  auto skipped = choose(environment{{{"AZURE_TENANT_ID", "t"},
                                     {"AZURE_CLIENT_ID", "c"},
                                     {"AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"}}});
  CHECK(skipped.credential->kind() == "workload-identity");
}

TEST_CASE("default: managed identity last", "[identity][default]") {
  SECTION("App Service") {
    auto c = choose(environment{
        {{"IDENTITY_ENDPOINT", "http://127.0.0.1:41741/MSI/token/"}, {"IDENTITY_HEADER", "hdr"}}});
    CHECK(c.credential->kind() == "managed-identity");
    CHECK(c.reason == "IDENTITY_ENDPOINT and IDENTITY_HEADER are set: managed-identity (App "
                      "Service, endpoint http://127.0.0.1:41741/MSI/token/, system-assigned)");
  }
  SECTION("IMDS, with AZURE_CLIENT_ID as the user-assigned identity") {
    auto c = choose(environment{{{"AZURE_CLIENT_ID", "user-mi"}}});
    CHECK(c.reason == "no other credential is configured: managed-identity (IMDS, endpoint "
                      "http://169.254.169.254/metadata/identity/oauth2/token, client user-mi)");
    auto req = c.credential->token_request({});
    REQUIRE(req);
    CHECK(req->target.ends_with("&client_id=user-mi"));
  }
  SECTION("nothing set: system-assigned IMDS") {
    auto c = choose(environment{});
    CHECK(c.reason == "no other credential is configured: managed-identity (IMDS, endpoint "
                      "http://169.254.169.254/metadata/identity/oauth2/token, system-assigned)");
  }
  SECTION("options: the emulator's endpoint and another client id") {
    auto c = choose(environment{{{"AZURE_CLIENT_ID", "env-client"}}},
                    {"opt-client", "http://127.0.0.1:8081/metadata/identity/oauth2/token", {}});
    CHECK(c.reason == "no other credential is configured: managed-identity (IMDS, endpoint "
                      "http://127.0.0.1:8081/metadata/identity/oauth2/token, client opt-client)");
  }
  SECTION("incomplete environment and workload settings are skipped with a reason") {
    auto c = choose(environment{{{"AZURE_CLIENT_SECRET", "TOPSECRET"},
                                 {"AZURE_TENANT_ID", "t"},
                                 {"AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"}}});
    CHECK(c.credential->kind() == "managed-identity");
    CHECK(c.reason ==
          "environment credential skipped (AZURE_CLIENT_ID not set); workload identity skipped "
          "(AZURE_CLIENT_ID not set); no other credential is configured: managed-identity (IMDS, "
          "endpoint http://169.254.169.254/metadata/identity/oauth2/token, system-assigned)");
    CHECK(c.reason.find("TOPSECRET") == std::string::npos);
    auto cert_only = choose(environment{{{"AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"}}});
    CHECK(cert_only.reason.starts_with("environment credential skipped (AZURE_TENANT_ID and "
                                       "AZURE_CLIENT_ID not set); no other credential"));
  }
}

TEST_CASE("default: a bad authority host is reported", "[identity][default][secrets]") {
  auto r = select_default_credential(environment{{{"AZURE_TENANT_ID", "t"},
                                                  {"AZURE_CLIENT_ID", "c"},
                                                  {"AZURE_CLIENT_SECRET", "TOPSECRET"},
                                                  {"AZURE_AUTHORITY_HOST", "ftp://x"}}});
  REQUIRE_FALSE(r);
  auto msg = render(r.error());
  CHECK(msg == "invalid_argument: default credential (AZURE_CLIENT_SECRET is set): "
               "client-secret credential: invalid authority host: invalid URL \"ftp://x\": "
               "unsupported scheme \"ftp\" (expected http or https)");
  CHECK(msg.find("TOPSECRET") == std::string::npos);
}

TEST_CASE("the process environment is read", "[identity][default]") {
  ::setenv("BULKD_IDENTITY_TEST_VAR", "v1", 1);
  auto env = environment::process();
  CHECK(env.get("BULKD_IDENTITY_TEST_VAR") == "v1");
  CHECK(env.has("BULKD_IDENTITY_TEST_VAR"));
  CHECK_FALSE(env.has("BULKD_IDENTITY_TEST_UNSET_VAR"));
  ::unsetenv("BULKD_IDENTITY_TEST_VAR");
}
