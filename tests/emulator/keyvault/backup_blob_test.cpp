#include "clients/base64url.hpp"
#include "clients/error.hpp"
#include "emulator/keyvault/backup_blob.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bulkd::emulator::keyvault;

namespace {

const std::string secret(32, '\x5a');
const std::string other_secret(32, '\x5b');

key_material make(key_options options) {
  auto key = key_material::generate(options);
  if (!key)
    FAIL(bulkd::render(key.error()));
  return std::move(*key);
}

key_backup sample_backup() {
  key_backup b;
  b.name = "backup-Key-1";
  key_version_backup v1;
  v1.version = "78deebed173b48e48f55abf87ed4cf71";
  v1.key = make({"RSA", 2048, std::nullopt, std::nullopt});
  v1.attributes.created = 1493942451;
  v1.attributes.updated = 1493942452;
  v1.attributes.recovery_level = "CustomizedRecoverable+Purgeable";
  v1.attributes.recoverable_days = 7;
  v1.tags = {{"purpose", "unit test"}, {"owner", "kv-proto"}};
  v1.key_ops = {"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"};
  key_version_backup v2;
  v2.version = "3d31e6e5c4c14eaf9be8d42c00225088";
  v2.key = make({"EC-HSM", std::nullopt, "P-384", std::nullopt});
  v2.attributes.enabled = false;
  v2.attributes.nbf = 631180800;
  v2.attributes.exp = 662716800;
  v2.attributes.created = 1600000000;
  v2.attributes.updated = 1600000100;
  v2.attributes.exportable = false;
  v2.key_ops = {"sign"};
  v2.managed = true;
  key_version_backup v3;
  v3.version = "c1b1abd7f3494996b22a6920589581e9";
  v3.key = make({"oct", 128, std::nullopt, std::nullopt});
  v3.attributes.created = 1700000000;
  v3.attributes.updated = 1700000000;
  v3.tags = {{"empty", ""}};
  b.versions = {std::move(v1), std::move(v2), std::move(v3)};
  return b;
}

std::string encode(const key_backup& b, const std::string& key = secret) {
  auto blob = encode_backup(b, key);
  if (!blob)
    FAIL(bulkd::render(blob.error()));
  return std::move(*blob);
}

std::string decode_error(std::string_view blob, const std::string& key = secret) {
  auto r = decode_backup(blob, key);
  REQUIRE_FALSE(r);
  return bulkd::render(r.error());
}

} // namespace

TEST_CASE("a backup blob round-trips every version with attributes, tags and key ops",
          "[backup_blob]") {
  auto original = sample_backup();
  auto blob = encode(original);
  CHECK(blob.substr(0, 21) == std::string{"&BulkdKeyVaultBackup\x01", 21});
  // The private key material is not readable in the blob.
  auto d = original.versions[0].key.private_jwk().at("d").get<std::string>();
  CHECK(blob.find(d) == std::string::npos);
  CHECK(blob.find("unit test") == std::string::npos);

  auto back = decode_backup(blob, secret);
  REQUIRE(back);
  CHECK(back->name == original.name);
  REQUIRE(back->versions.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    auto& a = original.versions[i];
    auto& b = back->versions[i];
    CHECK(b.version == a.version);
    CHECK(b.key.private_jwk() == a.key.private_jwk());
    CHECK(b.key.kty() == a.key.kty());
    CHECK(b.attributes == a.attributes);
    CHECK(b.tags == a.tags);
    CHECK(b.key_ops == a.key_ops);
    CHECK(b.managed == a.managed);
  }
  CHECK(back->versions[1].key.hsm());
  CHECK(back->versions[1].attributes.nbf == 631180800);

  // The REST value is base64url of the bytes.
  auto value = bulkd::base64url_encode(blob);
  auto bytes = bulkd::base64url_decode(value);
  REQUIRE(bytes);
  CHECK(decode_backup(*bytes, secret));
  auto name = peek_backup_name(blob);
  REQUIRE(name);
  CHECK(*name == "backup-Key-1");
}

TEST_CASE("two backups of the same key differ (random nonce)", "[backup_blob]") {
  auto b = sample_backup();
  CHECK(encode(b) != encode(b));
}

TEST_CASE("any changed byte makes the blob malformed", "[backup_blob]") {
  auto blob = encode(sample_backup());
  const size_t name_at = 31;
  const size_t name_size = 12;
  const size_t nonce_at = name_at + name_size;
  auto flipped = [&](size_t at, char mask = 0x01) {
    auto copy = blob;
    copy[at] = static_cast<char>(copy[at] ^ mask);
    return decode_error(copy);
  };
  CHECK(flipped(0) == "parse_error: malformed backup blob: bad magic");
  CHECK(flipped(19) == "parse_error: malformed backup blob: bad magic");
  CHECK(flipped(20, 0x03) == "parse_error: malformed backup blob: unsupported format version 2");
  CHECK(flipped(21) == "parse_error: malformed backup blob: made by another emulator instance "
                       "(key id differs)");
  CHECK(flipped(nonce_at) ==
        "parse_error: malformed backup blob: authentication failed (the blob was changed or "
        "cut)");
  CHECK(flipped(blob.size() / 2) ==
        "parse_error: malformed backup blob: authentication failed (the blob was changed or "
        "cut)");
  CHECK(flipped(blob.size() - 1) ==
        "parse_error: malformed backup blob: authentication failed (the blob was changed or "
        "cut)");
  CHECK(flipped(name_at + 6, 0x20) ==
        "parse_error: malformed backup blob: bad key name in the header");
  // Every single byte, every bit pattern 0x80: nothing gets through.
  for (size_t i = 0; i < blob.size(); ++i) {
    auto copy = blob;
    copy[i] = static_cast<char>(copy[i] ^ 0x80);
    auto r = decode_backup(copy, secret);
    if (r)
      FAIL("flipping byte " << i << " was not detected");
    CHECK_THAT(bulkd::render(r.error()), Catch::StartsWith("parse_error: malformed backup blob: "));
  }
}

TEST_CASE("the key name is bound to the blob", "[backup_blob]") {
  auto blob = encode(sample_backup());
  // "backup-Key-1" -> "backup-Key-2": still a valid name, but the associated data differs.
  auto renamed = blob;
  renamed[31 + 11] = '2';
  auto name = peek_backup_name(renamed);
  REQUIRE(name);
  CHECK(*name == "backup-Key-2");
  CHECK(decode_error(renamed) ==
        "parse_error: malformed backup blob: authentication failed (the blob was changed or "
        "cut)");
  // A shorter name in the header shifts everything: caught as well.
  auto shorter =
      blob.substr(0, 29) + std::string{"\x00\x0b", 2} + blob.substr(31, 11) + blob.substr(31 + 12);
  CHECK_THAT(decode_error(shorter), Catch::StartsWith("parse_error: malformed backup blob: "));
}

TEST_CASE("a truncated blob is malformed", "[backup_blob]") {
  auto blob = encode(sample_backup());
  CHECK(decode_error("") == "parse_error: malformed backup blob: truncated: 0 bytes, the header "
                            "needs at least 31");
  CHECK(decode_error(blob.substr(0, 30)) ==
        "parse_error: malformed backup blob: truncated: 30 bytes, the header needs at least "
        "31");
  CHECK(decode_error(blob.substr(0, 31 + 12 + 12 + 15)) ==
        "parse_error: malformed backup blob: truncated: 70 bytes, at least 71 expected");
  for (size_t cut : {size_t{1}, size_t{16}, size_t{17}, blob.size() / 2}) {
    CHECK_THAT(decode_error(blob.substr(0, blob.size() - cut)),
               Catch::StartsWith("parse_error: malformed backup blob: "));
  }
  CHECK(decode_error(blob.substr(0, blob.size() - 1)) ==
        "parse_error: malformed backup blob: authentication failed (the blob was changed or "
        "cut)");
  CHECK(decode_error(blob + "x") ==
        "parse_error: malformed backup blob: authentication failed (the blob was changed or "
        "cut)");
  CHECK(decode_error("not a backup at all, just some text") ==
        "parse_error: malformed backup blob: bad magic");
}

TEST_CASE("a blob from another instance is malformed", "[backup_blob]") {
  auto blob = encode(sample_backup(), other_secret);
  CHECK(decode_backup(blob, other_secret));
  CHECK(decode_error(blob) == "parse_error: malformed backup blob: made by another emulator "
                              "instance (key id differs)");
}

TEST_CASE("encode and decode refuse bad arguments", "[backup_blob]") {
  auto b = sample_backup();
  auto encode_error = [](const key_backup& backup, std::string_view key) {
    auto r = encode_backup(backup, key);
    REQUIRE_FALSE(r);
    return bulkd::render(r.error());
  };
  CHECK(encode_error(b, "short") ==
        "invalid_argument: backup: the instance secret must be 32 bytes, got 5");
  CHECK(decode_error(encode(b), std::string(31, 'x')) ==
        "invalid_argument: backup: the instance secret must be 32 bytes, got 31");
  auto bad_name = b;
  bad_name.name = "bad_name";
  CHECK(encode_error(bad_name, secret) ==
        "invalid_argument: backup: key name 'bad_name' must match ^[0-9a-zA-Z-]+$ (1 to "
        "127 characters)");
  auto empty = b;
  empty.versions.clear();
  CHECK(encode_error(empty, secret) ==
        "invalid_argument: backup: key 'backup-Key-1' has no versions");
  auto twice = b;
  twice.versions[2].version = twice.versions[0].version;
  CHECK(encode_error(twice, secret) ==
        "invalid_argument: backup: version '78deebed173b48e48f55abf87ed4cf71' appears twice");
  auto public_only = b;
  auto pub = key_material::from_jwk(b.versions[0].key.public_jwk());
  REQUIRE(pub);
  public_only.versions[0].key = *pub;
  CHECK(encode_error(public_only, secret) ==
        "invalid_argument: backup: version '78deebed173b48e48f55abf87ed4cf71' has no private "
        "key material");
}

TEST_CASE("the REST layer's answer for malformed blobs is Azure's", "[backup_blob]") {
  CHECK(malformed_backup_code == "Malformed backup blob");
  CHECK(malformed_backup_message == "Backup blob contains invalid or corrupt version.");
}

TEST_CASE("key attributes read back what they write and check types", "[backup_blob]") {
  key_attributes a;
  a.nbf = 1;
  a.exp = 2;
  a.created = 3;
  a.updated = 4;
  a.recoverable_days = 90;
  auto j = to_json(a);
  CHECK(j == nlohmann::json::parse(R"({"enabled":true,"nbf":1,"exp":2,"created":3,"updated":4,
      "recoveryLevel":"Recoverable+Purgeable","recoverableDays":90})"));
  auto back = parse_key_attributes(j);
  REQUIRE(back);
  CHECK(*back == a);
  auto error = [](const char* text) {
    auto r = parse_key_attributes(nlohmann::json::parse(text));
    REQUIRE_FALSE(r);
    return bulkd::render(r.error());
  };
  CHECK(error(R"({"enabled":"yes"})") ==
        "invalid_argument: attributes field 'enabled' must be a boolean");
  CHECK(error(R"({"exp":"1700000000"})") ==
        "invalid_argument: attributes field 'exp' must be an integer (Unix seconds)");
  CHECK(error(R"({"nbf":1.5})") ==
        "invalid_argument: attributes field 'nbf' must be an integer (Unix seconds)");
  CHECK(error("[]") == "invalid_argument: attributes must be a JSON object");
}
