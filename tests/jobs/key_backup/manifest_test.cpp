#include "jobs/error_text.hpp"
#include "jobs/key_backup/manifest.hpp"
#include "tests/jobs/key_backup/key_backup_test_support.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::key_backup;

namespace {

backup_manifest sample() {
  backup_manifest m;
  m.vault_url = "https://v.vault.azure.net";
  m.started = test::at("2026-11-21T15:04:05Z");
  m.finished = test::at("2026-11-21T15:04:06.5Z");
  m.encryption = {encryption_aes_256_gcm, "0123456789abcdef"};
  manifest_key k;
  k.key = {"k1", {"v1", "v2"}, "https://v.vault.azure.net/keys/k1/v2", "EC", {{"a", "b"}}};
  k.file = "k1.kvbackup.enc";
  k.size = 77;
  k.sha256 = std::string(64, 'a');
  m.keys.push_back(k);
  m.skipped.push_back({"c1", true, "managed"});
  m.failed.push_back({"k9", "timeout"});
  return m;
}

std::string parse_error(const std::string& json) {
  auto m = parse_manifest(json);
  REQUIRE_FALSE(m);
  return error_text(m.error());
}

std::string with(std::string json, const std::string& from, const std::string& to) {
  auto pos = json.find(from);
  REQUIRE(pos != std::string::npos);
  return json.replace(pos, from.size(), to);
}

} // namespace

TEST_CASE("manifests round-trip through JSON", "[key_backup]") {
  auto m = sample();
  auto parsed = parse_manifest(to_json(m));
  REQUIRE(parsed);
  CHECK(*parsed == m);
}

TEST_CASE("bad manifests are refused with what is wrong", "[key_backup]") {
  auto good = to_json(sample());
  CHECK(parse_error("").find("manifest.json: not valid JSON") == 0);
  CHECK(parse_error("[]") == "manifest.json: not a JSON object");
  CHECK(parse_error("{}") == "manifest.json: top level: missing \"format\"");
  CHECK(parse_error(with(good, "bulkd-key-backup-set", "other")) ==
        "manifest.json: format is \"other\", not \"bulkd-key-backup-set\"");
  CHECK(parse_error(with(good, "\"format_version\": 1", "\"format_version\": 2")) ==
        "manifest.json: unsupported format_version 2 (this bulkd reads 1)");
  CHECK(parse_error(with(good, "\"format_version\": 1", "\"format_version\": \"1\"")) ==
        "manifest.json: top level: \"format_version\" has the wrong type");
  CHECK(parse_error(with(good, "2026-11-21T15:04:05Z", "yesterday"))
            .find("manifest.json: \"started\": ") == 0);
  CHECK(parse_error(with(good, "AES-256-GCM", "ROT13")) ==
        "manifest.json: unknown encryption algorithm \"ROT13\"");
  CHECK(parse_error(with(good, "\"key_count\": 1", "\"key_count\": 2")) ==
        "manifest.json: key_count is 2 but \"keys\" has 1 entries");
  CHECK(parse_error(with(good, "\"name\": \"k1\"", "\"name\": \"../k1\"")) ==
        "manifest.json: keys[0]: invalid key name \"../k1\": Key Vault key names hold only "
        "0-9, a-z, A-Z and '-'");
  CHECK(
      parse_error(with(good, "\"file\": \"k1.kvbackup.enc\"", "\"file\": \"../../etc/passwd\"")) ==
      "manifest.json: keys[0]: file \"../../etc/passwd\" is not \"k1.kvbackup.enc\"");
  CHECK(parse_error(with(good, std::string(64, 'a'), "abc")) ==
        "manifest.json: keys[0]: sha256 is not 64 lower-case hex digits");
  CHECK(parse_error(with(good, "\"size\": 77", "\"size\": -1")) ==
        "manifest.json: keys[0]: size is not a non-negative integer");
  CHECK(parse_error(with(good, "\"a\": \"b\"", "\"a\": 1")) ==
        "manifest.json: keys[0]: \"tags\" has the wrong type");
  CHECK(parse_error(with(good, "\"managed\": true", "\"managed\": \"yes\"")) ==
        "manifest.json: skipped[0]: \"managed\" has the wrong type");
  CHECK(parse_error(with(good, "\"error\": \"timeout\"", "\"oops\": 1")) ==
        "manifest.json: failed[0]: missing \"error\"");
}
