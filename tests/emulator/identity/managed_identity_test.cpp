#include "emulator/identity/managed_identity.hpp"
#include "test_pki.hpp"

using namespace bulkd::emulator::identity;
using nlohmann::json;

namespace {

constexpr int64_t now = 1700000000;
const std::string dev = "00000000-0000-0000-0000-000000000000";

struct fixture {
  client_registry clients;
  token_issuer issuer;
  fixture()
      : issuer(*token_issuer::make(test_pki::rsa_key(), {"https://127.0.0.1:8443", 3600, 60})) {
    REQUIRE_FALSE(clients.add({dev, "user-assigned", "s", {}}));
  }
  managed_identity_response get(std::string_view query,
                                std::optional<std::string_view> metadata = "true") {
    return managed_identity_endpoint{clients, issuer}.handle(query, metadata, now);
  }
};

json imds_error(const std::string& description) {
  return {{"error", "invalid_request"}, {"error_description", description}};
}

} // namespace

TEST_CASE("the managed identity endpoint answers like IMDS", "[managed_identity]") {
  fixture f;
  auto r = f.get("api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net");
  REQUIRE(r.status == 200);
  CHECK(r.body.at("token_type") == "Bearer");
  CHECK(r.body.at("client_id") == "bulkd-dev");
  CHECK(r.body.at("resource") == "https://vault.azure.net");
  CHECK(r.body.at("expires_in") == "3600");
  CHECK(r.body.at("ext_expires_in") == "3600");
  CHECK(r.body.at("expires_on") == "1700003600");
  CHECK(r.body.at("not_before") == "1700000000");
  auto check = f.issuer.verify(r.body.at("access_token").get<std::string>(),
                               {"https://vault.azure.net"}, now);
  REQUIRE(check);
  CHECK(check.claims.client_id == "bulkd-dev");
  CHECK(check.claims.tenant == dev);
}

TEST_CASE("user-assigned identities are chosen by client_id or object_id", "[managed_identity]") {
  fixture f;
  auto by_client = f.get("api-version=2018-02-01&resource=https://vault.azure.net&client_id="
                         "user-assigned",
                         "True");
  REQUIRE(by_client.status == 200);
  CHECK(by_client.body.at("client_id") == "user-assigned");
  auto by_object = f.get("api-version=2018-02-01&resource=https://vault.azure.net&object_id=" +
                         object_id_for(dev, "bulkd-dev"));
  REQUIRE(by_object.status == 200);
  CHECK(by_object.body.at("client_id") == "bulkd-dev");
  // A scope is tolerated: the audience drops "/.default", the resource is echoed.
  auto scope = f.get("resource=https://vault.azure.net/.default");
  REQUIRE(scope.status == 200);
  CHECK(f.issuer.verify(scope.body.at("access_token").get<std::string>(),
                        {"https://vault.azure.net"}, now));
}

TEST_CASE("bad managed identity requests get IMDS's errors", "[managed_identity]") {
  fixture f;
  auto missing_header = f.get("resource=https://vault.azure.net", std::nullopt);
  CHECK(missing_header.status == 400);
  CHECK(missing_header.body == imds_error("Required metadata header not specified"));
  CHECK(f.get("resource=https://vault.azure.net", "false").body ==
        imds_error("Required metadata header not specified"));
  CHECK(f.get("api-version=2018-02-01").body ==
        imds_error("Required audience parameter not specified"));
  CHECK(f.get("api-version=2018-02-01&resource=").body ==
        imds_error("Required audience parameter not specified"));
  auto unknown = f.get("resource=https://vault.azure.net&client_id=ghost");
  CHECK(unknown.status == 400);
  CHECK(unknown.body == imds_error("Identity not found"));
  CHECK(f.get("resource=https://vault.azure.net&object_id=1234").body ==
        imds_error("Identity not found"));
  CHECK(f.get("resource=https://vault.azure.net&msi_res_id=%2Fsubscriptions%2Fx").body ==
        imds_error("Identity not found"));
  CHECK(f.get("resource=%zz").body == imds_error("Invalid request"));
}
