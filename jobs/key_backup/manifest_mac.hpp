#pragma once

// Authenticates manifest.json of an encrypted set, so that with the key a changed manifest (a
// removed key entry, an edited key id, a swapped hash) is caught, not only a changed key file.
//
// mac = lower-case hex of HMAC-SHA256(K, T) where
//   K = HMAC-SHA256(encryption key, "bulkd key-backup manifest mac v1") and
//   T = to_json() of the manifest with "mac" left out: 2-space indented, keys sorted, UTF-8
//       unescaped, one final newline -- in Python
//       json.dumps(m_without_mac, indent=2, sort_keys=True, ensure_ascii=False) + "\n".
// Unencrypted sets carry no mac: anyone who can change their files can change their hashes too.

#include "jobs/key_backup/encryption_key.hpp"
#include "jobs/key_backup/manifest.hpp"

#include <caf/error.hpp>

#include <string>

namespace bulkd::key_backup {

std::string manifest_mac(const encryption_key& key, const backup_manifest& m);

/// ec::parse_error "manifest.json: authentication failed ..." or "... has no mac".
caf::error check_manifest_mac(const encryption_key& key, const backup_manifest& m);

} // namespace bulkd::key_backup
