#include "clients/base64url.hpp"
#include "kv_server.hpp"

#include <filesystem>
#include <unistd.h>

using namespace kv_test;

namespace {

std::vector<std::string> version_kids(kv_client& c, const std::string& name) {
  auto r = c.get("/keys/" + name + "/versions");
  REQUIRE(r.status == 200);
  std::vector<std::string> out;
  for (auto& item : r.body.at("value"))
    out.push_back(item.at("kid").get<std::string>());
  return out;
}

void expect_malformed(const kv_client::answer& r) {
  INFO(r.body.dump());
  CHECK(r.status == 400);
  CHECK(error_code(r) == "Malformed backup blob");
  CHECK(error_message(r) == "Backup blob contains invalid or corrupt version.");
}

} // namespace

TEST_CASE("key vault: backup, purge and restore bring back every version",
          "[keyvault_rest][backup]") {
  kv_server s;
  kv_client c{s};
  auto v1 = c.post("/keys/Precious/create", json{{"kty", "RSA"}, {"tags", {{"a", "b"}}}});
  REQUIRE(v1.status == 200);
  s.now += 5;
  auto v2 = c.post("/keys/Precious/create", json{{"kty", "RSA"}});
  REQUIRE(v2.status == 200);
  REQUIRE(
      c.patch("/keys/Precious/" + version_of(v1.body), json{{"attributes", {{"enabled", false}}}})
          .status == 200);
  auto before = version_kids(c, "Precious");
  auto v1_before = c.get("/keys/Precious/" + version_of(v1.body));

  auto backup = c.post("/keys/Precious/backup", std::string{});
  REQUIRE(backup.status == 200);
  auto value = backup.body.at("value").get<std::string>();
  CHECK(value.find('=') == std::string::npos);
  CHECK(bulkd::base64url_decode(value));

  auto exists = c.post("/keys/restore", json{{"value", value}});
  CHECK(exists.status == 409);
  CHECK(error_code(exists) == "Conflict");
  CHECK(error_message(exists) == "There was a conflict restoring the key Precious: a key with "
                                 "this name exists or is deleted but not yet purged.");
  REQUIRE(c.del("/keys/Precious").status == 200);
  CHECK(c.post("/keys/restore", json{{"value", value}}).status == 409);
  REQUIRE(c.del("/deletedkeys/Precious").status == 204);

  auto restored = c.post("/keys/restore", json{{"value", value}});
  REQUIRE(restored.status == 200);
  CHECK(restored.body == v2.body);
  CHECK(version_kids(c, "Precious") == before);
  CHECK(c.get("/keys/Precious/" + version_of(v1.body)).body == v1_before.body);
}

TEST_CASE("key vault: tampered, foreign and undecodable blobs are malformed",
          "[keyvault_rest][backup]") {
  kv_server s;
  kv_client c{s};
  REQUIRE(c.post("/keys/t/create", json{{"kty", "EC"}}).status == 200);
  auto value = c.post("/keys/t/backup", std::string{}).body.at("value").get<std::string>();
  REQUIRE(c.del("/keys/t").status == 200);
  REQUIRE(c.del("/deletedkeys/t").status == 204);

  auto bytes = *bulkd::base64url_decode(value);
  bytes[bytes.size() / 2] ^= 0x01;
  expect_malformed(c.post("/keys/restore", json{{"value", bulkd::base64url_encode(bytes)}}));
  expect_malformed(c.post("/keys/restore", json{{"value", value.substr(0, value.size() / 2)}}));
  expect_malformed(c.post("/keys/restore", json{{"value", "not base64!"}}));
  expect_malformed(c.post("/keys/restore", json{{"value", ""}}));
  auto no_value = c.post("/keys/restore", json{{"blob", value}});
  CHECK(no_value.status == 400);
  CHECK(error_code(no_value) == "BadParameter");
  CHECK(error_message(no_value) == "The backup blob (value) is required.");

  // Another emulator instance (another backup secret) cannot open it.
  kv_server other;
  kv_client o{other};
  expect_malformed(o.post("/keys/restore", json{{"value", value}}));
  // This one still can.
  CHECK(c.post("/keys/restore", json{{"value", value}}).status == 200);
}

TEST_CASE("key vault: backup of a missing or certificate-backed key", "[keyvault_rest][backup]") {
  kv_server s;
  kv_client c{s};
  auto missing = c.post("/keys/none/backup", std::string{});
  CHECK(missing.status == 404);
  CHECK(error_code(missing) == "KeyNotFound");

  auto key = kv::key_material::generate({"RSA", 2048, {}, {}});
  REQUIRE(key);
  kv::key_version_backup v;
  v.version = "0123456789abcdef0123456789abcdef";
  v.key = *key;
  v.managed = true;
  REQUIRE(s.store->add_version("cert-key", v));
  auto listed = c.get("/keys");
  REQUIRE(listed.body.at("value").size() == 1);
  CHECK(listed.body.at("value")[0].at("managed") == true);
  auto forbidden = c.post("/keys/cert-key/backup", std::string{});
  CHECK(forbidden.status == 403);
  CHECK(error_code(forbidden) == "Forbidden");
  CHECK(error_message(forbidden) ==
        "Operation \"backup\" is not allowed on this Key, since it is associated with a "
        "certificate. Perform the operation on the corresponding certificate.");
}

TEST_CASE("key vault: keys and backups survive a restart on a file store",
          "[keyvault_rest][backup]") {
  auto dir =
      std::filesystem::temp_directory_path() / ("bulkd-kv-rest-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto path = (dir / "keyvault.sqlite").string();
  json created;
  std::string blob;
  {
    kv_server s{path};
    kv_client c{s};
    created = c.post("/keys/durable/create", json{{"kty", "EC"}}).body;
    REQUIRE(created.contains("key"));
    REQUIRE(c.post("/keys/blobbed/create", json{{"kty", "oct"}}).status == 200);
    blob = c.post("/keys/blobbed/backup", std::string{}).body.at("value").get<std::string>();
    REQUIRE(c.del("/keys/blobbed").status == 200);
    REQUIRE(c.del("/deletedkeys/blobbed").status == 204);
  }
  {
    kv_server s{path};
    kv_client c{s};
    auto got = c.get("/keys/durable");
    REQUIRE(got.status == 200);
    CHECK(got.body.at("key").at("x") == created.at("key").at("x"));
    CHECK(version_of(got.body) == version_of(created));
    CHECK(c.post("/keys/restore", json{{"value", blob}}).status == 200);
  }
  std::filesystem::remove_all(dir);
}
