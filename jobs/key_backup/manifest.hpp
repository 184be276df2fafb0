#pragma once

// manifest.json of a backup set: what the set holds, written last (a set without it is
// incomplete). Example:
//
//   {"format": "bulkd-key-backup-set", "format_version": 1,
//    "vault_url": "https://myvault.vault.azure.net",
//    "started": "2026-11-21T15:04:05Z", "finished": "2026-11-21T15:04:09.250Z",
//    "key_count": 1,
//    "encryption": {"algorithm": "AES-256-GCM", "key_id": "3f1c0a9e5b7d2e41", "format": "BKDKEY1"},
//    "keys": [{"name": "signing", "file": "signing.kvbackup.enc",
//              "kid": "https://myvault.vault.azure.net/keys/signing/cd34...", "key_type": "RSA",
//              "versions": ["ab12...", "cd34..."], "size": 10537,
//              "sha256": "<hex of the file as stored>", "tags": {"env": "prod"}}],
//    "skipped": [{"name": "tls-cert", "managed": true, "reason": "backs a certificate"}],
//    "failed": [{"name": "gone", "error": "not_found: KeyNotFound"}],
//    "mac": "<hex HMAC-SHA256, see manifest_mac.hpp>"}
//
// Without encryption "encryption" is {"algorithm": "none"} and there is no "mac". size and sha256
// are of the file as it is stored (after encryption).

#include "jobs/timestamp.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::key_backup {

inline constexpr int manifest_format_version = 1;
inline constexpr const char* encryption_none = "none";
inline constexpr const char* encryption_aes_256_gcm = "AES-256-GCM";

/// What the job knows about a key when it hands its backup blob over.
struct key_info {
  std::string name;
  std::vector<std::string> versions; // version ids, oldest first as the service listed them
  std::string kid;                   // the current version's kid
  std::string key_type;              // kty: RSA, EC, oct-HSM, ...
  std::map<std::string, std::string> tags;

  friend bool operator==(const key_info&, const key_info&) = default;
};

struct manifest_key {
  key_info key;
  std::string file;   // file name in the set directory
  uint64_t size = 0;  // bytes of the file as stored
  std::string sha256; // lower-case hex of the file as stored

  friend bool operator==(const manifest_key&, const manifest_key&) = default;
};

struct skipped_key {
  std::string name;
  bool managed = false; // backs a certificate; Key Vault refuses to back it up as a key
  std::string reason;

  friend bool operator==(const skipped_key&, const skipped_key&) = default;
};

struct failed_key {
  std::string name;
  std::string error;

  friend bool operator==(const failed_key&, const failed_key&) = default;
};

struct manifest_encryption {
  std::string algorithm = encryption_none; // "none" or "AES-256-GCM"
  std::string key_id;                      // encryption_key::id(); empty for "none"

  bool encrypted() const { return algorithm != encryption_none; }

  friend bool operator==(const manifest_encryption&, const manifest_encryption&) = default;
};

struct backup_manifest {
  int format_version = manifest_format_version;
  std::string vault_url;
  utc_time started;
  utc_time finished;
  manifest_encryption encryption;
  std::vector<manifest_key> keys;
  std::vector<skipped_key> skipped;
  std::vector<failed_key> failed;
  std::string mac; // encrypted sets: HMAC over the rest (manifest_mac.hpp); else empty

  friend bool operator==(const backup_manifest&, const backup_manifest&) = default;
};

std::string to_json(const backup_manifest& m);

/// Parses and checks a manifest: every key name valid, its file the expected name, sizes and
/// hashes well-formed, key_count matching. Errors are ec::parse_error and say what is wrong.
caf::expected<backup_manifest> parse_manifest(std::string_view json);

} // namespace bulkd::key_backup
