#include "jobs/config_secret_check.hpp"
#include "jobs/spec_loader.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace bulkd;

namespace {

constexpr const char* config_text = R"(accounts:
  main:
    endpoint: "https://prod.documents.azure.com:443/"
    key: "c2VjcmV0LWtleQ=="
  fromenv:
    endpoint: "https://other.documents.azure.com:443/"
    key: "${env:OTHER_KEY}"
  dev:
    endpoint: "http://127.0.0.1:8081"
    key: "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
vaults:
  prod:
    url: "https://prod.vault.azure.net"
    credential: { type: client-secret, tenant_id: t, client_id: c, client_secret: "hunter2" }
admin:
  listen: "127.0.0.1:8686"
  token: "admin-token-literal"
)";

} // namespace

TEST_CASE("literal secrets in a file others can read draw a warning each, with the position",
          "[config_secret_check]") {
  auto ds = literal_secret_warnings("/etc/bulkd/bulkd.yaml", config_text, 0644);
  REQUIRE(ds.size() == 3);
  CHECK(ds[0].path == "accounts.main.key");
  CHECK(ds[0].line == 4);
  CHECK(ds[0].level == severity::warning);
  CHECK_THAT(ds[0].message, Catch::Contains("mode 0644"));
  CHECK_THAT(ds[0].message, Catch::Contains("chmod 600 /etc/bulkd/bulkd.yaml"));
  CHECK(ds[1].path == "vaults.prod.credential.client_secret");
  CHECK(ds[2].path == "admin.token");
  for (auto& d : ds) {
    // The warning never shows the secret itself.
    CHECK(render(d).find("c2VjcmV0LWtleQ") == std::string::npos);
    CHECK(render(d).find("hunter2") == std::string::npos);
    CHECK(render(d).find("admin-token-literal") == std::string::npos);
  }
}

TEST_CASE("no warning for a 0600/0640 file, references, loopback accounts, or text that does not "
          "parse",
          "[config_secret_check]") {
  CHECK(literal_secret_warnings("f", config_text, 0600).empty());
  CHECK(literal_secret_warnings("f", config_text, 0640).empty());
  CHECK(literal_secret_warnings("f", "accounts: [", 0644).empty());
  CHECK(literal_secret_warnings("f",
                                "accounts:\n  a:\n    connection_string: "
                                "\"AccountEndpoint=http://localhost:8081/;AccountKey=abc;\"\n",
                                0644)
            .empty());
  auto ds = literal_secret_warnings(
      "f",
      "accounts:\n  a:\n    connection_string: "
      "\"AccountEndpoint=https://x.documents.azure.com:443/;AccountKey=abc;\"\n",
      0644);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].path == "accounts.a.connection_string");
}

TEST_CASE("load_daemon_config warns about a world-readable config with a literal key",
          "[config_secret_check]") {
  char tmpl[] = "/tmp/bulkd-secret-check-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  auto file = dir / "bulkd.yaml";
  {
    std::ofstream out{file};
    out << "accounts:\n  main:\n    endpoint: \"https://prod.documents.azure.com:443/\"\n"
           "    key: \"c2VjcmV0LWtleQ==\"\n";
  }
  ::chmod(file.c_str(), 0644);
  auto loaded = load_daemon_config(file.string());
  CHECK(loaded.ok());
  REQUIRE(count(loaded.diags, severity::warning) == 1);
  CHECK(loaded.diags[0].path == "accounts.main.key");
  ::chmod(file.c_str(), 0600);
  loaded = load_daemon_config(file.string());
  CHECK(count(loaded.diags, severity::warning) == 0);
  std::filesystem::remove_all(dir);
}
