#include "emulator/identity/client_registry.hpp"
#include "test_pki.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace bulkd::emulator::identity;
using nlohmann::json;

namespace {

std::string load_error(client_registry& registry, const std::string& text) {
  auto before = registry.size();
  auto err = registry.load_json(text);
  REQUIRE(err);
  CHECK(registry.size() == before); // nothing was added
  return bulkd::render(err);
}

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kvproto-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

} // namespace

TEST_CASE("the development client is built in", "[client_registry]") {
  client_registry registry;
  CHECK(registry.size() == 1);
  auto dev = registry.find("00000000-0000-0000-0000-000000000000", "bulkd-dev");
  REQUIRE(dev != nullptr);
  CHECK(client_registry::secret_matches(*dev, "bulkd-dev-secret"));
  CHECK_FALSE(client_registry::secret_matches(*dev, "bulkd-dev-secreT"));
  CHECK_FALSE(client_registry::secret_matches(*dev, "bulkd-dev-secret "));
  CHECK_FALSE(client_registry::secret_matches(*dev, "bulkd-dev"));
  CHECK_FALSE(client_registry::secret_matches(*dev, ""));
  CHECK(registry.find("00000000-0000-0000-0000-000000000000", "BULKD-DEV") == dev);
  CHECK(registry.find("00000000-0000-0000-0000-000000000001", "bulkd-dev") == nullptr);
  CHECK(registry.has_tenant("00000000-0000-0000-0000-000000000000"));
  CHECK_FALSE(registry.has_tenant("00000000-0000-0000-0000-00000000000"));
  CHECK(client_registry{false}.size() == 0);
}

TEST_CASE("clients are added once, with a credential", "[client_registry]") {
  client_registry registry;
  registered_client app{"72F988BF-86F1-41AF-91AB-2D7CD011DB47", "my-app", "s3cret", {}};
  CHECK_FALSE(registry.add(app));
  CHECK(registry.has_tenant("72f988bf-86f1-41af-91ab-2d7cd011db47"));
  auto dup = registry.add(app);
  REQUIRE(dup);
  CHECK(bulkd::render(dup) == "conflict: client 'my-app' is already registered in tenant "
                              "'72F988BF-86F1-41AF-91AB-2D7CD011DB47'");
  auto no_cred = registry.add({"contoso.onmicrosoft.com", "bare", std::nullopt, {}});
  REQUIRE(no_cred);
  CHECK(bulkd::render(no_cred) ==
        "invalid_argument: client 'bare' needs a client_secret or a certificate");
  auto bad_tenant = registry.add({"a/b", "x", "s", {}});
  REQUIRE(bad_tenant);
  CHECK(bulkd::render(bad_tenant) == "invalid_argument: tenant 'a/b' must be a GUID or a domain "
                                     "name");
  auto bad_id = registry.add({"t", "my app", "s", {}});
  REQUIRE(bad_id);
  CHECK(bulkd::render(bad_id) ==
        "invalid_argument: client id 'my app' may only hold letters, digits, '.', '-', '_'");
  CHECK(registry.size() == 2);
  // A certificate-only client has no secret that could match.
  auto cert = client_certificate::from_pem(test_pki::self_signed("c").pem);
  REQUIRE(cert);
  CHECK_FALSE(registry.add({"t", "cert-only", std::nullopt, {*cert}}));
  CHECK_FALSE(client_registry::secret_matches(*registry.find("t", "cert-only"), ""));
}

TEST_CASE("clients load from JSON, with certificates inline or from files", "[client_registry]") {
  temp_dir dir;
  auto cert = test_pki::self_signed("file-app");
  {
    std::ofstream out{dir.path / "file-app.pem"};
    out << cert.pem;
  }
  auto inline_cert = test_pki::self_signed("inline-app");
  json doc{{"clients",
            {{{"tenant", "11111111-1111-1111-1111-111111111111"},
              {"client_id", "secret-app"},
              {"client_secret", "p@ss word"}},
             {{"tenant", "11111111-1111-1111-1111-111111111111"},
              {"client_id", "file-app"},
              {"certificate_file", "file-app.pem"}},
             {{"tenant", "contoso.example"},
              {"client_id", "inline-app"},
              {"client_secret", "x"},
              {"certificate_pem", inline_cert.pem}}}}};
  {
    std::ofstream out{dir.path / "clients.json"};
    out << doc.dump(2);
  }
  client_registry registry;
  auto err = registry.load_file(dir.path / "clients.json");
  INFO(bulkd::render(err));
  REQUIRE_FALSE(err);
  CHECK(registry.size() == 4);
  auto secret_app = registry.find("11111111-1111-1111-1111-111111111111", "secret-app");
  REQUIRE(secret_app);
  CHECK(client_registry::secret_matches(*secret_app, "p@ss word"));
  auto file_app = registry.find("11111111-1111-1111-1111-111111111111", "file-app");
  REQUIRE(file_app);
  REQUIRE(file_app->certificates.size() == 1);
  CHECK(file_app->certificates[0].sha1() == test_pki::digest(EVP_sha1(), cert.der));
  auto inline_app = registry.find("contoso.example", "inline-app");
  REQUIRE(inline_app);
  CHECK(inline_app->certificates.size() == 1);
  CHECK(inline_app->secret == "x");

  auto missing = registry.load_file(dir.path / "nope.json");
  REQUIRE(missing);
  CHECK(bulkd::render(missing) == "io_error: cannot read " + (dir.path / "nope.json").string());
}

TEST_CASE("bad client files are refused whole, with the reason", "[client_registry]") {
  client_registry registry;
  auto pem = test_pki::self_signed("x").pem;
  CHECK(load_error(registry, "{") == "parse_error: clients file is not valid JSON");
  CHECK(load_error(registry, "[]") ==
        "parse_error: clients file must be an object with a \"clients\" array");
  CHECK(load_error(registry, R"({"clients": {}})") ==
        "parse_error: clients file must be an object with a \"clients\" array");
  CHECK(load_error(registry, R"({"clients": [1]})") ==
        "parse_error: clients[0]: must be an object");
  CHECK(
      load_error(registry, R"({"clients": [{"tenant": "t", "client_id": "a", "secret": "s"}]})") ==
      "parse_error: clients[0]: unknown field 'secret'");
  CHECK(load_error(registry, R"({"clients": [{"tenant": 7, "client_id": "a"}]})") ==
        "parse_error: clients[0]: 'tenant' must be a string");
  CHECK(load_error(registry, R"({"clients": [{"client_id": "a", "client_secret": "s"}]})") ==
        "parse_error: clients[0]: missing 'tenant'");
  CHECK(load_error(registry, R"({"clients": [{"tenant": "t", "client_secret": "s"}]})") ==
        "parse_error: clients[0]: missing 'client_id'");
  CHECK(load_error(registry, R"({"clients": [{"tenant": "t", "client_id": "a"}]})") ==
        "parse_error: clients[0]: client 'a' needs a client_secret or a "
        "certificate");
  CHECK(load_error(registry, R"({"clients": [{"tenant": "t", "client_id": "a",
          "certificate_pem": "junk"}]})") == "parse_error: clients[0]: no PEM certificate found");
  json both{{"clients",
             {{{"tenant", "t"},
               {"client_id", "a"},
               {"certificate_pem", pem},
               {"certificate_file", "a.pem"}}}}};
  CHECK(load_error(registry, both.dump()) ==
        "parse_error: clients[0]: give either certificate_pem or certificate_file, not both");
  CHECK_THAT(load_error(registry, R"({"clients": [{"tenant": "t", "client_id": "a",
          "certificate_file": "/nonexistent/a.pem"}]})"),
             Catch::StartsWith("io_error: clients[0]: cannot read /nonexistent/a.pem"));
  // One good and one duplicate entry: none is added.
  CHECK(load_error(registry, R"({"clients": [
          {"tenant": "t", "client_id": "ok", "client_secret": "s"},
          {"tenant": "00000000-0000-0000-0000-000000000000", "client_id": "bulkd-dev",
           "client_secret": "s"}]})") ==
        "conflict: clients[1]: client 'bulkd-dev' is already registered in tenant "
        "'00000000-0000-0000-0000-000000000000'");
  CHECK(load_error(registry, R"({"clients": [
          {"tenant": "t", "client_id": "twice", "client_secret": "s"},
          {"tenant": "T", "client_id": "TWICE", "client_secret": "s"}]})") ==
        "conflict: clients[1]: client 'TWICE' is already registered in tenant 'T'");
  CHECK(registry.find("t", "ok") == nullptr);
}
