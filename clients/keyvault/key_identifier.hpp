#pragma once

// Key identifiers: kid "https://{vault}/keys/{name}[/{version}]" and recoveryId
// "https://{vault}/deletedkeys/{name}".

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd::keyvault {

struct key_identifier {
  std::string vault_url;  // "https://myvault.vault.azure.net", with the port only when not default
  std::string collection; // "keys" or "deletedkeys"
  std::string name;
  std::string version; // empty for list items of GET /keys and for recovery ids

  friend bool operator==(const key_identifier&, const key_identifier&) = default;
};

/// Parses an identifier; ec::parse_error when it is not an http(s) URL with path
/// /keys/{name}[/{version}] or /deletedkeys/{name}.
caf::expected<key_identifier> parse_key_identifier(std::string_view id);

} // namespace bulkd::keyvault
