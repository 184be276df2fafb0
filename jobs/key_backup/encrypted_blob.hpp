#pragma once

// The file format of an encrypted key backup (`<key name>.kvbackup.enc` in a backup set).
//
// A file holds one Key Vault backup blob -- the raw bytes of the base64url-decoded `value` that
// POST /keys/{name}/backup returns -- sealed with AES-256-GCM:
//
//   offset  size  field
//   0       8     magic: the ASCII bytes "BKDKEY1" followed by one NUL byte
//   8       1     format version: 1
//   9       12    nonce: random (OpenSSL RAND_bytes), new for every file
//   21      n     ciphertext: AES-256-GCM of the blob, same length as the blob
//   21+n    16    tag: the 128-bit GCM authentication tag
//
// The additional authenticated data is the first 9 bytes (magic and version) followed by the key
// name in ASCII, so a file renamed to another key's name fails authentication just like a changed
// byte. The 32-byte key and its key id are described in encryption_key.hpp; the set's
// manifest.json records "encryption": {"algorithm": "AES-256-GCM", "key_id": ...}.
//
// Without encryption the file is `<key name>.kvbackup` and holds the blob's raw bytes unchanged;
// restoring base64url-encodes them again into {"value": ...}.
//
// Decrypting by hand, e.g. in Python with `cryptography`:
//   d = open(f, "rb").read(); AESGCM(key).decrypt(d[9:21], d[21:], d[:9] + name.encode())

#include "jobs/key_backup/encryption_key.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd::key_backup {

inline constexpr std::string_view encrypted_blob_magic{"BKDKEY1\0", 8};
inline constexpr unsigned char encrypted_blob_version = 1;
inline constexpr size_t encrypted_blob_overhead = 8 + 1 + 12 + 16;

/// Seals `blob` for the key `key_name` into the format above.
caf::expected<std::string> encrypt_blob(const encryption_key& key, std::string_view key_name,
                                        std::string_view blob);

/// Opens a file in the format above. Errors (ec::parse_error) say "not an encrypted key backup"
/// (magic), "unsupported format version", "truncated", or "authentication failed" (a changed
/// byte, the wrong key, or a file that belongs to another key name).
caf::expected<std::string> decrypt_blob(const encryption_key& key, std::string_view key_name,
                                        std::string_view file);

} // namespace bulkd::key_backup
