#include "clients/base64url.hpp"
#include "clients/http_response.hpp"
#include "clients/keyvault/key_responses.hpp"
#include "jobs/error_text.hpp"
#include "jobs/key_backup/backup_set_reader.hpp"
#include "jobs/key_backup/backup_set_writer.hpp"
#include "jobs/key_backup/manifest_mac.hpp"
#include "jobs/key_backup/sha256.hpp"
#include "tests/jobs/key_backup/key_backup_test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sys/stat.h>

using namespace bulkd;
using namespace bulkd::key_backup;

namespace {

namespace fs = std::filesystem;

constexpr const char* vault_url = "https://myvault.vault.azure.net";

std::string blob_of(const std::string& name) {
  return "&AzureKeyVaultKeyBackupV1.microsoft.com" + name + std::string(200, '\x07');
}

key_info info_of(const std::string& name, size_t versions = 1) {
  key_info k;
  k.name = name;
  for (size_t i = 0; i < versions; ++i)
    k.versions.push_back(std::string(31, 'a') + std::to_string(i));
  k.kid = std::string{vault_url} + "/keys/" + name + "/" + k.versions.back();
  k.key_type = "RSA";
  k.tags = {{"env", "test"}};
  return k;
}

// Writes a finished set with keys k1 (3 versions), k2, k3 (and a skipped managed key).
fs::path write_set(const fs::path& dest, const encryption_key* key,
                   const char* started = "2026-11-21T15:04:05Z") {
  backup_set_writer::options opts;
  opts.destination = dest;
  opts.vault_url = vault_url;
  if (key)
    opts.key = *key;
  opts.started = test::at(started);
  auto w = backup_set_writer::create(std::move(opts));
  REQUIRE(w);
  REQUIRE_FALSE(w->write_key(info_of("k1", 3), blob_of("k1")));
  REQUIRE_FALSE(w->write_key(info_of("k2"), blob_of("k2")));
  // What a worker does off the supervisor: write the file, hand the entry back.
  auto entry = write_key_file(w->directory(), w->key(), info_of("k3"), blob_of("k3"));
  REQUIRE(entry);
  REQUIRE_FALSE(w->add(std::move(*entry)));
  REQUIRE_FALSE(w->skip({"tls-cert", true, "managed: backs a certificate"}));
  auto m = w->finish(test::at("2026-11-21T15:04:09.250Z"));
  REQUIRE(m);
  return w->directory();
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

struct umask_guard {
  mode_t old;
  explicit umask_guard(mode_t m) : old(::umask(m)) {}
  ~umask_guard() { ::umask(old); }
};

bool has_problem(const verify_report& r, const std::string& text) {
  for (auto& p : r.problems)
    if (p.find(text) != std::string::npos)
      return true;
  return false;
}

std::string all_problems(const verify_report& r) {
  std::string out;
  for (auto& p : r.problems)
    out += p + "\n";
  return out;
}

} // namespace

TEST_CASE("a written set has the documented layout and verifies", "[key_backup]") {
  test::temp_dir tmp;
  auto dir = write_set(tmp.path / "backups", nullptr);
  CHECK(dir == tmp.path / "backups" / "myvault.vault.azure.net" / "2026-11-21T15-04-05Z");
  CHECK(test::slurp(dir / "k1.kvbackup") == blob_of("k1")); // raw blob bytes, unencrypted
  auto set = open_backup_set(dir);
  REQUIRE(set);
  const auto& m = set->manifest;
  CHECK(m.vault_url == vault_url);
  CHECK(m.started == test::at("2026-11-21T15:04:05Z"));
  CHECK(m.finished == test::at("2026-11-21T15:04:09.250Z"));
  CHECK(m.encryption.algorithm == "none");
  REQUIRE(m.keys.size() == 3);
  CHECK(m.keys[0].key == info_of("k1", 3));
  CHECK(m.keys[0].file == "k1.kvbackup");
  CHECK(m.keys[0].size == blob_of("k1").size());
  CHECK(m.keys[0].sha256 == sha256_hex(blob_of("k1")));
  REQUIRE(m.skipped.size() == 1);
  CHECK(m.skipped[0].managed);
  auto blob = read_key_blob(*set, m.keys[1], nullptr);
  REQUIRE(blob);
  CHECK(*blob == blob_of("k2"));
  auto text = test::slurp(dir / "manifest.json");
  CHECK(text.find("\"key_count\": 3") != std::string::npos);
  CHECK(text.find("\"format_version\": 1") != std::string::npos);

  auto report = verify_backup_set(dir, nullptr);
  INFO(all_problems(report));
  CHECK(report.ok());
  CHECK(report.keys.size() == 3);
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0] == "key tls-cert was skipped: managed: backs a certificate");
}

TEST_CASE("an encrypted set stores sealed files and verifies with its key", "[key_backup]") {
  test::temp_dir tmp;
  auto key = test::test_key();
  auto dir = write_set(tmp.path, &key);
  auto stored = test::slurp(dir / "k1.kvbackup.enc");
  CHECK(stored.substr(0, 8) == std::string{"BKDKEY1\0", 8});
  CHECK(stored.find("AzureKeyVault") == std::string::npos);
  auto manifest = test::slurp(dir / "manifest.json");
  CHECK(manifest.find("\"AES-256-GCM\"") != std::string::npos);
  CHECK(manifest.find("\"key_id\": \"" + key.id() + "\"") != std::string::npos);
  CHECK(manifest.find(test::test_key_hex) == std::string::npos);
  auto set = open_backup_set(dir);
  REQUIRE(set);
  CHECK(set->manifest.keys[0].sha256 == sha256_hex(stored));
  auto blob = read_key_blob(*set, set->manifest.keys[0], &key);
  REQUIRE(blob);
  CHECK(*blob == blob_of("k1"));
  auto report = verify_backup_set(dir, &key);
  INFO(all_problems(report));
  CHECK(report.ok());
}

TEST_CASE("files are 0600 and directories 0700 even under umask 0", "[key_backup]") {
  umask_guard guard{0};
  test::temp_dir tmp;
  auto key = test::test_key();
  auto dir = write_set(tmp.path / "new" / "dest", &key);
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(dir.parent_path()) == 0700);
  CHECK(mode_of(tmp.path / "new") == 0700);
  CHECK(mode_of(dir / "k1.kvbackup.enc") == 0600);
  CHECK(mode_of(dir / "k3.kvbackup.enc") == 0600);
  CHECK(mode_of(dir / "manifest.json") == 0600);
  size_t entries = 0;
  for (auto& e : fs::directory_iterator{dir}) {
    ++entries;
    CHECK(e.path().filename().string()[0] != '.'); // no temporary file left
  }
  CHECK(entries == 4);
}

TEST_CASE("a second run in the same second gets its own set directory", "[key_backup]") {
  test::temp_dir tmp;
  auto first = write_set(tmp.path, nullptr);
  auto second = write_set(tmp.path, nullptr);
  CHECK(first.filename() == "2026-11-21T15-04-05Z");
  CHECK(second.filename() == "2026-11-21T15-04-05Z-2");
}

TEST_CASE("the writer refuses unsafe names, duplicates, empty blobs and late keys",
          "[key_backup]") {
  test::temp_dir tmp;
  backup_set_writer::options opts;
  opts.destination = tmp.path;
  opts.vault_url = vault_url;
  opts.started = test::at("2026-11-21T15:04:05Z");
  auto w = backup_set_writer::create(opts);
  REQUIRE(w);
  for (const std::string& bad :
       std::vector<std::string>{"../escape", "a/b", std::string{"a\0b", 3}, std::string{}, "..",
                                "/abs", "manifest.json", std::string(128, 'x')}) {
    INFO(bad);
    auto err = w->write_key(info_of(bad), "blob");
    REQUIRE(err);
    CHECK(error_text(err).find("invalid key name") == 0);
  }
  CHECK_FALSE(fs::exists(tmp.path / "escape.kvbackup"));
  CHECK_FALSE(fs::exists(w->directory().parent_path() / "escape.kvbackup"));
  auto empty = w->write_key(info_of("k1"), "");
  REQUIRE(empty);
  CHECK(error_text(empty) == "empty backup blob for key k1");
  REQUIRE_FALSE(w->write_key(info_of("k1"), "blob"));
  auto dup = w->write_key(info_of("k1"), "blob");
  REQUIRE(dup);
  CHECK(error_text(dup) == "key k1 is already recorded in " + w->directory().string());
  auto dup_skip = w->skip({"k1", false, "x"});
  REQUIRE(dup_skip);
  REQUIRE(w->finish(test::at("2026-11-21T15:05:00Z")));
  auto late = w->write_key(info_of("k2"), "blob");
  REQUIRE(late);
  CHECK(error_text(late) ==
        "backup set " + w->directory().string() + " is finished; cannot record k2");
  auto again = w->finish(test::at("2026-11-21T15:05:00Z"));
  REQUIRE_FALSE(again);
  auto bad_vault = backup_set_writer::create({tmp.path, "not a url", std::nullopt, opts.started});
  REQUIRE_FALSE(bad_vault);
  auto no_dest = backup_set_writer::create({"", vault_url, std::nullopt, opts.started});
  REQUIRE_FALSE(no_dest);
  CHECK(error_text(no_dest.error()) == "backup destination path is empty");
}

TEST_CASE("verify names a tampered file", "[key_backup]") {
  test::temp_dir tmp;
  auto dir = write_set(tmp.path, nullptr);
  auto data = test::slurp(dir / "k2.kvbackup");
  data[10] ^= 0x20;
  test::spit(dir / "k2.kvbackup", data);
  auto report = verify_backup_set(dir, nullptr);
  CHECK_FALSE(report.ok());
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] == "key k2: k2.kvbackup: SHA-256 does not match the manifest");
  REQUIRE(report.keys.size() == 3);
  CHECK(report.keys[0].ok);
  CHECK_FALSE(report.keys[1].ok);
  CHECK(report.keys[2].ok);
  // A changed length is reported as such.
  test::spit(dir / "k3.kvbackup", blob_of("k3") + "x");
  report = verify_backup_set(dir, nullptr);
  CHECK(has_problem(report,
                    "key k3: k3.kvbackup: size is " + std::to_string(blob_of("k3").size() + 1) +
                        " bytes, the manifest says " + std::to_string(blob_of("k3").size())));
}

TEST_CASE("verify of an encrypted set: tampering fails authentication, naming the file",
          "[key_backup]") {
  test::temp_dir tmp;
  auto key = test::test_key();
  auto dir = write_set(tmp.path, &key);
  // Tamper and fix the manifest's hash, as an attacker with write access could: the manifest's
  // mac and the file's GCM tag both catch it.
  auto data = test::slurp(dir / "k1.kvbackup.enc");
  data[30] ^= 0x01;
  test::spit(dir / "k1.kvbackup.enc", data);
  auto set = open_backup_set(dir);
  REQUIRE(set);
  auto m = set->manifest;
  m.keys[0].sha256 = sha256_hex(data);
  test::spit(dir / "manifest.json", to_json(m));
  auto report = verify_backup_set(dir, &key);
  INFO(all_problems(report));
  REQUIRE(report.problems.size() == 2);
  CHECK(report.problems[0].find("manifest.json: authentication failed") == 0);
  CHECK(report.problems[1].find("key k1: k1.kvbackup.enc: authentication failed") == 0);
  CHECK_FALSE(report.keys[0].ok);
  CHECK(report.keys[1].ok);

  // Even with a manifest that authenticates, the file's own tag fails.
  m.mac = manifest_mac(key, m);
  test::spit(dir / "manifest.json", to_json(m));
  report = verify_backup_set(dir, &key);
  INFO(all_problems(report));
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] ==
        "key k1: k1.kvbackup.enc: authentication failed (the file was changed, or belongs to "
        "another key name, or the key is not the one it was encrypted with)");
}

TEST_CASE("verify reports a missing key file", "[key_backup]") {
  test::temp_dir tmp;
  auto dir = write_set(tmp.path, nullptr);
  fs::remove(dir / "k3.kvbackup");
  auto report = verify_backup_set(dir, nullptr);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] == "key k3: missing file k3.kvbackup");
}

TEST_CASE("a set without a valid manifest is incomplete", "[key_backup]") {
  test::temp_dir tmp;
  auto dir = write_set(tmp.path, nullptr);
  fs::remove(dir / "manifest.json");
  auto report = verify_backup_set(dir, nullptr);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] == "incomplete set: no manifest.json in " + dir.string());
  CHECK_FALSE(report.manifest);

  test::spit(dir / "manifest.json", "{\"format\": ");
  report = verify_backup_set(dir, nullptr);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].find("incomplete set: " + (dir / "manifest.json").string() +
                                " is not valid: manifest.json: not valid JSON") == 0);

  auto missing = verify_backup_set(tmp.path / "nope", nullptr);
  REQUIRE(missing.problems.size() == 1);
  CHECK(missing.problems[0] == "not a directory: " + (tmp.path / "nope").string());
}

TEST_CASE("verify with the wrong key or without a key says so", "[key_backup]") {
  test::temp_dir tmp;
  auto key = test::test_key();
  auto other = test::test_key(test::other_key_hex);
  auto dir = write_set(tmp.path, &key);
  auto report = verify_backup_set(dir, &other);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] == "wrong key: the set was encrypted with key id " + key.id() +
                                  ", the given key has id " + other.id() +
                                  "; only hashes were checked");
  auto set = open_backup_set(dir);
  REQUIRE(set);
  auto blob = read_key_blob(*set, set->manifest.keys[0], &other);
  REQUIRE_FALSE(blob);
  CHECK(error_text(blob.error()).find("k1.kvbackup.enc: wrong key") == 0);

  auto no_key = verify_backup_set(dir, nullptr);
  REQUIRE(no_key.problems.size() == 1);
  CHECK(no_key.problems[0].find("the set is encrypted (AES-256-GCM, key id " + key.id() +
                                "): give its key") == 0);

  auto plain_dir = write_set(tmp.path / "plain", nullptr);
  auto plain = verify_backup_set(plain_dir, &key);
  REQUIRE(plain.problems.size() == 1);
  CHECK(plain.problems[0] ==
        "the set is not encrypted (manifest.json says \"none\") but a key was given");

  // The manifest's key id cannot be edited to get past the check: the tag still fails.
  auto manifest = test::slurp(dir / "manifest.json");
  manifest.replace(manifest.find(key.id()), key.id().size(), other.id());
  test::spit(dir / "manifest.json", manifest);
  auto forged = verify_backup_set(dir, &other);
  CHECK(forged.problems.size() == 4);
  CHECK(has_problem(forged, "manifest.json: authentication failed"));
  CHECK(has_problem(forged, "key k2: k2.kvbackup.enc: authentication failed"));
}

TEST_CASE("a key file swapped for another key's fails authentication", "[key_backup]") {
  test::temp_dir tmp;
  auto key = test::test_key();
  auto dir = write_set(tmp.path, &key);
  // Swap k1 and k2 files and their manifest hashes/sizes.
  auto k1 = test::slurp(dir / "k1.kvbackup.enc");
  auto k2 = test::slurp(dir / "k2.kvbackup.enc");
  test::spit(dir / "k1.kvbackup.enc", k2);
  test::spit(dir / "k2.kvbackup.enc", k1);
  auto manifest = test::slurp(dir / "manifest.json");
  auto h1 = sha256_hex(k1), h2 = sha256_hex(k2);
  manifest.replace(manifest.find(h1), 64, std::string(64, '#'));
  manifest.replace(manifest.find(h2), 64, h1);
  manifest.replace(manifest.find(std::string(64, '#')), 64, h2);
  test::spit(dir / "manifest.json", manifest);
  auto report = verify_backup_set(dir, &key);
  CHECK(has_problem(report, "key k1: k1.kvbackup.enc: authentication failed"));
  CHECK(has_problem(report, "key k2: k2.kvbackup.enc: authentication failed"));
}

TEST_CASE("failed keys make verify fail, stray files are notes", "[key_backup]") {
  test::temp_dir tmp;
  backup_set_writer::options opts{tmp.path, vault_url, std::nullopt,
                                  test::at("2026-11-21T15:04:05Z")};
  auto w = backup_set_writer::create(opts);
  REQUIRE(w);
  REQUIRE_FALSE(w->write_key(info_of("k1"), "blob"));
  REQUIRE_FALSE(w->fail({"k2", "http_error: 403 Forbidden"}));
  REQUIRE(w->finish(test::at("2026-11-21T15:04:06Z")));
  test::spit(w->directory() / "notes.txt", "hello");
  auto report = verify_backup_set(w->directory(), nullptr);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] == "key k2 was not backed up: http_error: 403 Forbidden");
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0] == "file notes.txt is not in the manifest");
}

TEST_CASE("with the key, a changed manifest of an encrypted set is caught", "[key_backup]") {
  test::temp_dir tmp;
  auto key = test::test_key();
  auto dir = write_set(tmp.path, &key);
  CHECK(test::slurp(dir / "manifest.json").find("\"mac\": \"") != std::string::npos);
  // Drop k3 from the manifest (and fix key_count): every remaining file still checks out.
  auto set = open_backup_set(dir);
  REQUIRE(set);
  auto m = set->manifest;
  m.keys.pop_back();
  test::spit(dir / "manifest.json", to_json(m));
  auto report = verify_backup_set(dir, &key);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] ==
        "manifest.json: authentication failed (the manifest was changed after the run, or the "
        "key is not the one the set was written with)");
  m.mac.clear();
  test::spit(dir / "manifest.json", to_json(m));
  report = verify_backup_set(dir, &key);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] == "manifest.json of an encrypted set has no mac");
  // Without the key nothing can tell, which verify says.
  auto no_key = verify_backup_set(dir, nullptr);
  REQUIRE(no_key.problems.size() == 1);
  CHECK(no_key.problems[0].find("the set is encrypted") == 0);
}

TEST_CASE("a stored blob re-encodes to the exact `value` the service returned", "[key_backup]") {
  // The backup answer's value, as the Key Vault reference shows it (base64url, no padding).
  std::string value = "JkF6dXJlS2V5VmF1bHRLZXlCYWNrdXBWMS5taWNyb3NvZnQuY29tZXlKcmFXUWlPaUkwTXpnNV"
                      "l6a3lNeTFtTkRSaUxUUmhOVGN0WWpGaE55MDVNelE0TXpBek1ERmlOek1pTENKaGJHY2lP_-w";
  http_response resp;
  resp.status = 200;
  resp.body = "{\"value\":\"" + value + "\"}";
  auto blob = keyvault::parse_backup(resp);
  REQUIRE(blob);
  test::temp_dir tmp;
  auto key = test::test_key();
  for (const encryption_key* k : std::vector<const encryption_key*>{nullptr, &key}) {
    backup_set_writer::options opts{tmp.path / (k ? "enc" : "plain"), vault_url, std::nullopt,
                                    test::at("2026-11-21T15:04:05Z")};
    if (k)
      opts.key = *k;
    auto w = backup_set_writer::create(opts);
    REQUIRE(w);
    REQUIRE_FALSE(w->write_key(info_of("testkey"), *blob));
    REQUIRE(w->finish(test::at("2026-11-21T15:04:06Z")));
    auto set = open_backup_set(w->directory());
    REQUIRE(set);
    if (!k) // unencrypted files hold the decoded bytes as they are
      CHECK(test::slurp(w->directory() / "testkey.kvbackup") == *blob);
    auto back = read_key_blob(*set, set->manifest.keys[0], k);
    REQUIRE(back);
    CHECK(base64url_encode(*back) == value);
  }
}

TEST_CASE("the manifest mac covers the JSON as written, so another tool's set authenticates",
          "[key_backup]") {
  // A tool that writes times with milliseconds and adds members of its own, and computes the mac
  // by the documented rule (HMAC-SHA256 under HMAC-SHA256(key, label), over the sorted 2-space
  // dump without "mac"). It failed before: bulkd checked its re-serialized model instead.
  test::temp_dir tmp;
  auto key = test::test_key();
  auto dir = write_set(tmp.path, &key);
  auto doc = nlohmann::json::parse(test::slurp(dir / "manifest.json"));
  doc.erase("mac");
  doc["started"] = "2026-11-21T15:04:05.000Z";
  doc["written_by"] = "another tool";
  auto text = doc.dump(2) + "\n";
  static constexpr std::string_view label = "bulkd key-backup manifest mac v1";
  unsigned char mac_key[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];
  unsigned key_len = 0, mac_len = 0;
  HMAC(EVP_sha256(), key.data(), 32, reinterpret_cast<const unsigned char*>(label.data()),
       label.size(), mac_key, &key_len);
  HMAC(EVP_sha256(), mac_key, static_cast<int>(key_len),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &mac_len);
  std::string hex;
  for (unsigned i = 0; i < mac_len; ++i) {
    static constexpr char digits[] = "0123456789abcdef";
    hex += digits[mac[i] >> 4];
    hex += digits[mac[i] & 0xf];
  }
  doc["mac"] = hex;
  test::spit(dir / "manifest.json", doc.dump(2) + "\n");
  auto report = verify_backup_set(dir, &key);
  INFO(all_problems(report));
  CHECK(report.problems.empty());

  // One changed member of the same text still fails.
  doc["written_by"] = "someone else";
  test::spit(dir / "manifest.json", doc.dump(2) + "\n");
  report = verify_backup_set(dir, &key);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].find("manifest.json: authentication failed") == 0);
}
