#include "jobs/error_text.hpp"
#include "jobs/key_backup/encrypted_blob.hpp"
#include "jobs/key_backup/encryption_key.hpp"
#include "jobs/key_backup/sha256.hpp"
#include "tests/jobs/key_backup/key_backup_test_support.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::key_backup;

namespace {

std::string error_of(const caf::expected<encryption_key>& k) {
  REQUIRE_FALSE(k);
  return error_text(k.error());
}

} // namespace

TEST_CASE("encryption keys are 64 hex digits or 44 characters of base64", "[key_backup]") {
  auto hex = encryption_key::parse(test::test_key_hex);
  REQUIRE(hex);
  // The same 32 bytes in base64, with a file's trailing newline.
  auto b64 = encryption_key::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  REQUIRE(b64);
  CHECK(hex->id() == b64->id());
  CHECK(std::equal(hex->data(), hex->data() + 32, b64->data()));
  // key id = first 16 hex digits of SHA-256 of the raw bytes
  std::string raw;
  for (int i = 0; i < 32; ++i)
    raw += static_cast<char>(i);
  CHECK(hex->id() == sha256_hex(raw).substr(0, 16));
  CHECK(hex->id().size() == 16);
  auto upper =
      encryption_key::parse("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  REQUIRE(upper);
  CHECK(upper->id() == hex->id());
}

TEST_CASE("bad encryption keys are refused with a clear message", "[key_backup]") {
  CHECK(error_of(encryption_key::parse("")).find("encryption key is empty") == 0);
  CHECK(error_of(encryption_key::parse("  \n")).find("encryption key is empty") == 0);
  CHECK(error_of(encryption_key::parse("abcd")) ==
        "encryption key has 4 characters: expected 32 bytes as 64 hex digits (openssl rand -hex "
        "32) or as 44 characters of base64 (openssl rand -base64 32)");
  auto not_hex = std::string(63, 'a') + "g";
  CHECK(error_of(encryption_key::parse(not_hex))
            .find("encryption key has 64 characters but they are not all hex digits") == 0);
  CHECK(error_of(encryption_key::parse(std::string(43, 'A') + "!"))
            .find("encryption key has 44 characters but is not valid base64") == 0);
  // 31 bytes take 44 characters of base64 too.
  CHECK(error_of(encryption_key::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="))
            .find("encryption key decodes to 31 bytes, not 32") == 0);
}

TEST_CASE("an encryption key file that is missing or bad is named", "[key_backup]") {
  test::temp_dir tmp;
  auto missing = encryption_key::read_file(tmp.path / "nope");
  REQUIRE_FALSE(missing);
  CHECK(error_text(missing.error()) ==
        "cannot read encryption key file " + (tmp.path / "nope").string());
  test::spit(tmp.path / "short", "0011\n");
  auto bad = encryption_key::read_file(tmp.path / "short");
  REQUIRE_FALSE(bad);
  CHECK(error_text(bad.error())
            .find("encryption key file " + (tmp.path / "short").string() +
                  ": encryption key has 4 characters") == 0);
  test::spit(tmp.path / "good", std::string{test::test_key_hex} + "\n");
  auto good = encryption_key::read_file(tmp.path / "good");
  REQUIRE(good);
  CHECK(good->id() == test::test_key().id());
}

TEST_CASE("encrypted blobs follow the documented layout and round-trip", "[key_backup]") {
  auto key = test::test_key();
  std::string blob = "&AzureKeyVaultKeyBackupV1.microsoft.com\x01\x02\x00 binary";
  blob += std::string(1, '\0');
  auto sealed = encrypt_blob(key, "signing-key", blob);
  REQUIRE(sealed);
  REQUIRE(sealed->size() == 8 + 1 + 12 + blob.size() + 16);
  CHECK(sealed->substr(0, 8) == std::string{"BKDKEY1\0", 8});
  CHECK(static_cast<unsigned char>((*sealed)[8]) == 1);
  CHECK(sealed->find("AzureKeyVault") == std::string::npos);
  auto again = encrypt_blob(key, "signing-key", blob);
  REQUIRE(again);
  CHECK(again->substr(9, 12) != sealed->substr(9, 12)); // fresh nonce per file
  auto opened = decrypt_blob(key, "signing-key", *sealed);
  REQUIRE(opened);
  CHECK(*opened == blob);
}

TEST_CASE("tampered, misnamed, foreign or truncated encrypted blobs are refused", "[key_backup]") {
  auto key = test::test_key();
  auto sealed = encrypt_blob(key, "k1", "some backup blob bytes");
  REQUIRE(sealed);
  auto auth_failed = [](const caf::expected<std::string>& r) {
    REQUIRE_FALSE(r);
    return error_text(r.error()).find("authentication failed") == 0;
  };
  for (size_t i : {size_t{9}, size_t{25}, sealed->size() - 1}) {
    auto t = *sealed;
    t[i] ^= 0x01;
    INFO(i);
    CHECK(auth_failed(decrypt_blob(key, "k1", t)));
  }
  CHECK(auth_failed(decrypt_blob(key, "k2", *sealed))); // other name
  CHECK(auth_failed(decrypt_blob(test::test_key(test::other_key_hex), "k1", *sealed)));
  auto bad_magic = *sealed;
  bad_magic[0] = 'X';
  auto r1 = decrypt_blob(key, "k1", bad_magic);
  REQUIRE_FALSE(r1);
  CHECK(error_text(r1.error()) == "not an encrypted key backup (no BKDKEY1 magic)");
  auto v2 = *sealed;
  v2[8] = 2;
  auto r2 = decrypt_blob(key, "k1", v2);
  REQUIRE_FALSE(r2);
  CHECK(error_text(r2.error()) == "unsupported encrypted key backup format version 2");
  auto r3 = decrypt_blob(key, "k1", sealed->substr(0, 30));
  REQUIRE_FALSE(r3);
  CHECK(error_text(r3.error()) == "truncated encrypted key backup (30 bytes)");
}
