#include "clients/error.hpp"
#include "clients/keyvault/key_requests.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bulkd;
using namespace bulkd::keyvault;

namespace {

vault test_vault(std::string_view api = default_api_version) {
  auto v = make_vault("https://myvault.vault.azure.net", api);
  REQUIRE(v);
  return *v;
}

std::string failure(const caf::expected<http_request>& r) {
  REQUIRE_FALSE(r);
  return render(r.error());
}

} // namespace

TEST_CASE("the default api-version is the latest stable one", "[keyvault][requests]") {
  CHECK(default_api_version == "2025-07-01");
  auto req = list_keys(test_vault());
  REQUIRE(req);
  CHECK(req->target == "/keys?api-version=2025-07-01&maxresults=25");
  auto pinned = list_keys(test_vault("7.5"), 10);
  REQUIRE(pinned);
  CHECK(pinned->target == "/keys?api-version=7.5&maxresults=10");
}

TEST_CASE("vault URLs", "[keyvault][requests]") {
  auto v = make_vault("https://MyVault.vault.azure.net/");
  REQUIRE(v);
  CHECK(v->base.origin() == "https://myvault.vault.azure.net:443");
  CHECK(v->api_version == "2025-07-01");
  auto reason = [](std::string_view url, std::string_view api = "7.5") {
    auto r = make_vault(url, api);
    REQUIRE_FALSE(r);
    return render(r.error());
  };
  CHECK(reason("https://myvault.vault.azure.net/keys") ==
        "invalid_argument: invalid URL \"https://myvault.vault.azure.net/keys\": an origin has no "
        "path, query or fragment (expected scheme://host[:port])");
  CHECK(reason("https://v.vault.azure.net", "") == "invalid_argument: empty Key Vault api-version");
  CHECK(reason("https://v.vault.azure.net", "7.5&x=1") ==
        "invalid_argument: invalid Key Vault api-version \"7.5&x=1\"");
}

TEST_CASE("requests are the ones of the reference", "[keyvault][requests]") {
  auto v = test_vault("7.5");
  struct expectation {
    caf::expected<http_request> req;
    std::string method;
    std::string target;
  };
  std::vector<expectation> cases;
  cases.push_back({list_keys(v, 25), "GET", "/keys?api-version=7.5&maxresults=25"});
  cases.push_back({list_key_versions(v, "sdktestkey", 1), "GET",
                   "/keys/sdktestkey/versions?api-version=7.5&maxresults=1"});
  cases.push_back({list_deleted_keys(v, 25), "GET", "/deletedkeys?api-version=7.5&maxresults=25"});
  cases.push_back(
      {get_key(v, "CreateSoftKeyTest"), "GET", "/keys/CreateSoftKeyTest/?api-version=7.5"});
  cases.push_back({get_key(v, "CreateSoftKeyTest", "78deebed173b48e48f55abf87ed4cf71"), "GET",
                   "/keys/CreateSoftKeyTest/78deebed173b48e48f55abf87ed4cf71?api-version=7.5"});
  cases.push_back({backup_key(v, "testkey"), "POST", "/keys/testkey/backup?api-version=7.5"});
  cases.push_back({delete_key(v, "testkey"), "DELETE", "/keys/testkey?api-version=7.5"});
  cases.push_back({get_deleted_key(v, "testkey"), "GET", "/deletedkeys/testkey?api-version=7.5"});
  cases.push_back(
      {purge_deleted_key(v, "testkey"), "DELETE", "/deletedkeys/testkey?api-version=7.5"});
  cases.push_back(
      {recover_deleted_key(v, "testkey"), "POST", "/deletedkeys/testkey/recover?api-version=7.5"});
  for (auto& c : cases) {
    REQUIRE(c.req);
    INFO(c.target);
    CHECK(c.req->method == c.method);
    CHECK(c.req->origin == "https://myvault.vault.azure.net:443");
    CHECK(c.req->target == c.target);
    CHECK(c.req->headers.value("Accept") == "application/json");
    CHECK_FALSE(c.req->headers.contains("Authorization"));
    CHECK_FALSE(c.req->headers.contains("Content-Type"));
    CHECK(c.req->body.empty());
  }
}

TEST_CASE("restore sends the blob as base64url JSON", "[keyvault][requests]") {
  std::string blob = "&AzureKeyVaultKeyBackupV1.microsoft.com";
  blob += std::string{"\x00\xff\xfe\x01", 4};
  auto req = restore_key(test_vault("7.5"), blob);
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->target == "/keys/restore?api-version=7.5");
  CHECK(req->headers.value("Content-Type") == "application/json");
  auto body = nlohmann::json::parse(req->body);
  CHECK(body.size() == 1);
  auto value = body.at("value").get<std::string>();
  CHECK(value.find('=') == std::string::npos);
  CHECK(value.find('+') == std::string::npos);
  CHECK(value.find('/') == std::string::npos);
  CHECK(value == "JkF6dXJlS2V5VmF1bHRLZXlCYWNrdXBWMS5taWNyb3NvZnQuY29tAP_-AQ");
  CHECK(failure(restore_key(test_vault(), "")) == "invalid_argument: empty backup blob");
}

TEST_CASE("bad names, versions and page sizes are refused", "[keyvault][requests]") {
  auto v = test_vault();
  CHECK(failure(get_key(v, "")) == "invalid_argument: empty key name");
  CHECK(failure(backup_key(v, "a/b")) ==
        "invalid_argument: invalid key name \"a/b\" (expected letters, digits and '-')");
  CHECK(failure(delete_key(v, "a?x=1")) ==
        "invalid_argument: invalid key name \"a?x=1\" (expected letters, digits and '-')");
  CHECK(failure(get_key(v, std::string(128, 'k'))) ==
        "invalid_argument: key name of 128 characters is too long (at most 127)");
  CHECK(get_key(v, std::string(127, 'k')));
  CHECK(failure(get_key(v, "k", "../x")) ==
        "invalid_argument: invalid key version \"../x\" (expected letters and digits only)");
  CHECK(failure(list_keys(v, 0)) ==
        "invalid_argument: maxresults 0 is out of range (expected 1-25)");
  CHECK(failure(list_key_versions(v, "k", 26)) ==
        "invalid_argument: maxresults 26 is out of range (expected 1-25)");
  CHECK(failure(list_deleted_keys(v, -1)) ==
        "invalid_argument: maxresults -1 is out of range (expected 1-25)");
}

TEST_CASE("nextLink is followed as given, on the vault's own host",
          "[keyvault][requests][paging]") {
  auto v = test_vault("7.5");
  // Verbatim from GetKeys-example.json: explicit :443 and another api-version.
  auto req = next_page(v, "https://myvault.vault.azure.net:443/keys?api-version=7.2&$skiptoken="
                          "eyJOZXh0TWFya2VyIjoi&maxresults=1");
  REQUIRE(req);
  CHECK(req->method == "GET");
  CHECK(req->origin == "https://myvault.vault.azure.net:443");
  CHECK(req->target == "/keys?api-version=7.2&$skiptoken=eyJOZXh0TWFya2VyIjoi&maxresults=1");
  CHECK(req->headers.value("Accept") == "application/json");
  // Without api-version, the vault's is added.
  auto bare = next_page(v, "https://MYVAULT.vault.azure.net/keys?$skiptoken=abc");
  REQUIRE(bare);
  CHECK(bare->target == "/keys?$skiptoken=abc&api-version=7.5");
  auto no_query = next_page(v, "https://myvault.vault.azure.net/keys");
  REQUIRE(no_query);
  CHECK(no_query->target == "/keys?api-version=7.5");
  // "xapi-version" is not api-version.
  auto lookalike = next_page(v, "https://myvault.vault.azure.net/keys?xapi-version=1");
  REQUIRE(lookalike);
  CHECK(lookalike->target == "/keys?xapi-version=1&api-version=7.5");

  CHECK(failure(next_page(v, "https://evil.example.com/keys?$skiptoken=1")) ==
        "parse_error: nextLink \"https://evil.example.com/keys?$skiptoken=1\" leaves the vault "
        "myvault.vault.azure.net:443");
  CHECK(failure(next_page(v, "https://myvault.vault.azure.net.evil.com/keys")) ==
        "parse_error: nextLink \"https://myvault.vault.azure.net.evil.com/keys\" leaves the vault "
        "myvault.vault.azure.net:443");
  CHECK(failure(next_page(v, "https://myvault.vault.azure.net:8443/keys")) ==
        "parse_error: nextLink \"https://myvault.vault.azure.net:8443/keys\" leaves the vault "
        "myvault.vault.azure.net:443");
  CHECK(failure(next_page(v, "http://myvault.vault.azure.net:443/keys")) ==
        "parse_error: nextLink \"http://myvault.vault.azure.net:443/keys\" is not https");
  CHECK(failure(next_page(v, "/keys?$skiptoken=1")) ==
        "parse_error: invalid nextLink: invalid URL \"/keys?$skiptoken=1\": missing scheme "
        "(expected http:// or https://)");
  CHECK(failure(next_page(v, "")) == "parse_error: invalid nextLink: invalid URL \"\": empty");

  // An http vault (the emulator without TLS) may page over http.
  auto local = make_vault("http://127.0.0.1:8081");
  REQUIRE(local);
  auto page = next_page(*local, "http://127.0.0.1:8081/keys?api-version=7.5&$skiptoken=2");
  REQUIRE(page);
  CHECK(page->origin == "http://127.0.0.1:8081");
  CHECK(failure(next_page(*local, "http://localhost:8081/keys")) ==
        "parse_error: nextLink \"http://localhost:8081/keys\" leaves the vault 127.0.0.1:8081");
}
