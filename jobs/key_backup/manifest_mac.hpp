#pragma once

// Authenticates manifest.json of an encrypted set, so that with the key a changed manifest (a
// removed key entry, an edited key id, a swapped hash) is caught, not only a changed key file.
//
// mac = lower-case hex of HMAC-SHA256(K, T) where
//   K = HMAC-SHA256(encryption key, "bulkd key-backup manifest mac v1") and
//   T = the manifest as read, with "mac" left out, written 2-space indented, keys sorted, UTF-8
//       unescaped, one final newline -- in Python
//       json.dumps(m_without_mac, indent=2, sort_keys=True, ensure_ascii=False) + "\n".
// The check works on the JSON as read, not on bulkd's model of it, so a set written by another
// tool (other time formats, extra members) authenticates as long as its mac follows this rule.
// Unencrypted sets carry no mac: anyone who can change their files can change their hashes too.

#include "jobs/key_backup/encryption_key.hpp"
#include "jobs/key_backup/manifest.hpp"

#include <caf/error.hpp>

#include <string>
#include <string_view>

namespace bulkd::key_backup {

std::string manifest_mac(const encryption_key& key, const backup_manifest& m);

/// Checks the text of manifest.json. ec::parse_error "manifest.json: authentication failed ...",
/// "... has no mac" or "... is not valid JSON".
caf::error check_manifest_mac(const encryption_key& key, std::string_view manifest_json);

} // namespace bulkd::key_backup
