// Runs the built `bulkd keys verify|list|restore` against backup sets written by the library.

#include "jobs/key_backup/backup_set_writer.hpp"
#include "tests/support/child_process.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using namespace bulkd::key_backup;

constexpr const char* key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* other_hex =
    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/bulkd-keys-cli-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code err;
    fs::remove_all(path, err);
  }
};

std::pair<int, std::string> bulkd_cli(std::vector<std::string> args) {
  args.insert(args.begin(), BULKD_BINARY);
  auto log =
      fs::temp_directory_path() / ("bulkd-keys-cli-test-" + std::to_string(::getpid()) + ".log");
  auto result = bulkd::test::run_to_completion(std::move(args), log.string());
  fs::remove(log);
  return result;
}

std::string slurp(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream buf;
  buf << in.rdbuf();
  return std::move(buf).str();
}

void spit(const fs::path& p, const std::string& s) {
  std::ofstream{p, std::ios::binary | std::ios::trunc} << s;
}

// A finished set with keys alpha (2 versions, tagged) and beta, encrypted when `hex` is given.
fs::path make_set(const fs::path& dest, const char* hex) {
  backup_set_writer::options opts;
  opts.destination = dest;
  opts.vault_url = "https://myvault.vault.azure.net";
  if (hex) {
    auto k = encryption_key::parse(hex);
    REQUIRE(k);
    opts.key = *k;
  }
  opts.started = *bulkd::parse_rfc3339("2026-11-21T15:04:05Z");
  auto w = backup_set_writer::create(std::move(opts));
  REQUIRE(w);
  REQUIRE_FALSE(w->write_key({"alpha", {"a1", "a2"}, "kid-a", "RSA", {{"env", "prod"}}},
                             std::string(100, 'A')));
  REQUIRE_FALSE(w->write_key({"beta", {"b1"}, "kid-b", "EC", {}}, std::string(50, 'B')));
  REQUIRE_FALSE(w->skip({"cert", true, "managed: backs a certificate"}));
  REQUIRE(w->finish(*bulkd::parse_rfc3339("2026-11-21T15:04:06Z")));
  return w->directory();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("keys verify: a good set exits 0 with a per-key table", "[keys_cli]") {
  temp_dir tmp;
  auto set = make_set(tmp.path, nullptr);
  auto [rc, out] = bulkd_cli({"keys", "verify", set.string()});
  INFO(out);
  CHECK(rc == 0);
  CHECK(contains(out, "vault:      https://myvault.vault.azure.net"));
  CHECK(contains(out, "encryption: none"));
  CHECK(contains(out, "KEY    VERSIONS  SIZE  RESULT\n"));
  CHECK(contains(out, "alpha  2         100   ok\n"));
  CHECK(contains(out, "beta   1         50    ok\n"));
  CHECK(contains(out, "key cert was skipped: managed: backs a certificate"));
  CHECK(contains(out, "verify: ok, 2 key(s) checked"));
}

TEST_CASE("keys verify: tampered and missing files exit 1 naming the file", "[keys_cli]") {
  temp_dir tmp;
  auto set = make_set(tmp.path, nullptr);
  auto data = slurp(set / "alpha.kvbackup");
  data[0] = 'X';
  spit(set / "alpha.kvbackup", data);
  fs::remove(set / "beta.kvbackup");
  auto [rc, out] = bulkd_cli({"keys", "verify", set.string()});
  INFO(out);
  CHECK(rc == 1);
  CHECK(contains(out, "alpha  2         100   FAILED: alpha.kvbackup: SHA-256 does not match"));
  CHECK(contains(out, "key beta: missing file beta.kvbackup"));
  CHECK(contains(out, "verify: FAILED, 2 problem(s)"));
}

TEST_CASE("keys verify: encrypted sets need the right key", "[keys_cli]") {
  temp_dir tmp;
  auto set = make_set(tmp.path, key_hex);
  spit(tmp.path / "good.key", std::string{key_hex} + "\n");
  spit(tmp.path / "other.key", std::string{other_hex} + "\n");
  spit(tmp.path / "bad.key", "not a key\n");

  auto [rc, out] =
      bulkd_cli({"keys", "verify", set.string(), "--encryption-key-file", (tmp.path / "good.key")});
  INFO(out);
  CHECK(rc == 0);
  CHECK(contains(out, "encryption: AES-256-GCM, key id "));

  auto [rc_wrong, wrong] = bulkd_cli(
      {"keys", "verify", set.string(), "--encryption-key-file", (tmp.path / "other.key")});
  INFO(wrong);
  CHECK(rc_wrong == 1);
  CHECK(contains(wrong, "wrong key: the set was encrypted with key id "));

  auto [rc_none, none] = bulkd_cli({"keys", "verify", set.string()});
  CHECK(rc_none == 1);
  CHECK(contains(none, "the set is encrypted (AES-256-GCM, key id "));

  auto data = slurp(set / "beta.kvbackup.enc");
  data[data.size() - 1] ^= 1;
  spit(set / "beta.kvbackup.enc", data);
  auto [rc_bad, bad] =
      bulkd_cli({"keys", "verify", set.string(), "--encryption-key-file", (tmp.path / "bad.key")});
  CHECK(rc_bad == 2);
  CHECK(contains(bad, "encryption key file " + (tmp.path / "bad.key").string() +
                          ": encryption key has 9 characters"));
  auto [rc_missing, missing] =
      bulkd_cli({"keys", "verify", set.string(), "--encryption-key-file", (tmp.path / "none.key")});
  CHECK(rc_missing == 2);
  CHECK(contains(missing, "cannot read encryption key file"));

  auto [rc_t, tampered] =
      bulkd_cli({"keys", "verify", set.string(), "--encryption-key-file", (tmp.path / "good.key")});
  INFO(tampered);
  CHECK(rc_t == 1);
  CHECK(contains(tampered, "beta.kvbackup.enc: SHA-256 does not match the manifest"));
}

TEST_CASE("keys verify: an incomplete set exits 1, a wrong path 2", "[keys_cli]") {
  temp_dir tmp;
  auto set = make_set(tmp.path, nullptr);
  fs::remove(set / "manifest.json");
  auto [rc, out] = bulkd_cli({"keys", "verify", set.string()});
  CHECK(rc == 1);
  CHECK(contains(out, "incomplete set: no manifest.json in " + set.string()));
  auto [rc2, out2] = bulkd_cli({"keys", "verify", (tmp.path / "nope").string()});
  CHECK(rc2 == 2);
  CHECK(contains(out2, "not a directory: " + (tmp.path / "nope").string()));
  auto [rc3, out3] = bulkd_cli({"keys", "verify"});
  CHECK(rc3 == 2);
  CHECK(contains(out3, "set is required"));
  auto [rc4, out4] = bulkd_cli({"keys", "verify", "--help"});
  CHECK(rc4 == 0);
  CHECK(contains(out4, "--encryption-key-file"));
}

TEST_CASE("keys list prints names, versions, sizes and tags", "[keys_cli]") {
  temp_dir tmp;
  auto set = make_set(tmp.path, key_hex);
  auto [rc, out] = bulkd_cli({"keys", "list", set.string()});
  INFO(out);
  CHECK(rc == 0);
  CHECK(contains(out, "KEY    VERSIONS  SIZE  TAGS\n"));
  CHECK(contains(out, "alpha  2         137   env=prod\n")); // 100 bytes + 37 of envelope
  CHECK(contains(out, "beta   1         87    -\n"));
  CHECK(contains(out, "skipped cert: managed: backs a certificate"));
  CHECK(contains(out, "2 key(s), 1 skipped, 0 failed"));

  fs::remove(set / "manifest.json");
  auto [rc2, out2] = bulkd_cli({"keys", "list", set.string()});
  CHECK(rc2 == 1);
  CHECK(contains(out2, "bulkd keys list: incomplete set: no manifest.json"));
}

TEST_CASE("keys restore: bad usage exits 2 and says why", "[keys_cli]") {
  temp_dir tmp;
  auto [rc, out] = bulkd_cli({"keys", "restore", (tmp.path / "nowhere").string(), "--vault", "v"});
  CHECK(rc == 2);
  CHECK(contains(out, "bulkd keys: not a directory"));
  std::ofstream{tmp.path / "bulkd.yaml"} << "state_dir: state\n";
  auto [rc2, out2] = bulkd_cli({"keys", "restore", tmp.path.string(), "--vault", "v", "--config",
                                (tmp.path / "bulkd.yaml").string()});
  CHECK(rc2 == 2);
  CHECK(contains(out2, "vault 'v' is not defined"));
}
