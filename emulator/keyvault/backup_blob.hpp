#pragma once

// The emulator's key backup blob: every version of one key, sealed with AES-256-GCM under a
// secret only this emulator instance holds. The REST layer base64url-encodes the bytes into
// {"value": ...} for POST /keys/{name}/backup and decodes them for POST /keys/restore. Like
// Azure's blobs they are opaque to clients and only restorable where they were made.
//
// Byte layout, version 1 (integers big-endian):
//
//   offset      size  field
//   0           20    magic, ASCII "&BulkdKeyVaultBackup"
//   20          1     format version, 1
//   21          8     instance key id: first 8 bytes of HKDF-SHA256(secret, info "bulkd kv
//                     backup key id"), tells "another instance's blob" apart from tampering
//   29          2     N, length of the key name
//   31          N     key name, ASCII, [0-9A-Za-z-]+ (readable without the secret)
//   31+N        12    AES-GCM nonce, random per blob
//   43+N        L     ciphertext of the UTF-8 JSON payload
//   43+N+L      16    AES-GCM tag
//
// The AES-256 key is HKDF-SHA256(secret, info "bulkd kv backup v1 aes-256-gcm"). The associated
// data is bytes 0 .. 43+N (magic, version, key id, name and nonce), so changing the name, or any
// other header byte, fails authentication. The payload:
//
//   {"name": "...", "versions": [{"version": "<32 hex>", "key": <private JWK>,
//     "attributes": <KeyAttributes>, "tags": {...}, "key_ops": [...], "managed": false}, ...]}

#include "emulator/keyvault/key_attributes.hpp"
#include "emulator/keyvault/key_material.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::emulator::keyvault {

struct key_version_backup {
  std::string version;
  key_material key;
  key_attributes attributes;
  std::map<std::string, std::string> tags;
  std::vector<std::string> key_ops;
  bool managed = false;
};

struct key_backup {
  std::string name;
  std::vector<key_version_backup> versions;
};

inline constexpr size_t backup_secret_size = 32;

/// What the REST layer answers (400) for any blob decode_backup refuses, as the real service does.
inline constexpr std::string_view malformed_backup_code = "Malformed backup blob";
inline constexpr std::string_view malformed_backup_message =
    "Backup blob contains invalid or corrupt version.";

/// Seals a backup. Fails (invalid_argument) for a secret that is not 32 bytes, a bad key name, no
/// versions, an empty or repeated version id, or a version without private key material.
caf::expected<std::string> encode_backup(const key_backup& backup, std::string_view secret);

/// Opens a blob. Every failure is a parse_error whose message starts with
/// "malformed backup blob: " and names the internal reason, for the logs: "truncated",
/// "bad magic", "unsupported format version N", "made by another emulator instance",
/// "authentication failed", "bad payload", "name mismatch".
caf::expected<key_backup> decode_backup(std::string_view blob, std::string_view secret);

/// The key name from the header, without the secret and without authenticating anything.
caf::expected<std::string> peek_backup_name(std::string_view blob);

} // namespace bulkd::emulator::keyvault
