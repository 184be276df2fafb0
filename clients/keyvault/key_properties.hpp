#pragma once

// What Key Vault says about a key without its material: KeyItem (lists), KeyBundle (get, restore,
// recover) and DeletedKeyBundle / DeletedKeyItem (delete, get deleted), reference §1.4.
// Timestamps are Unix seconds.

#include "clients/keyvault/key_identifier.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bulkd::keyvault {

struct key_attributes {
  std::optional<bool> enabled;
  std::optional<int64_t> created;
  std::optional<int64_t> updated;
  std::optional<int64_t> expires;    // exp
  std::optional<int64_t> not_before; // nbf
  std::optional<int64_t> recoverable_days;
  std::string recovery_level; // "Recoverable+Purgeable", ...; empty when absent
  std::optional<bool> exportable;

  friend bool operator==(const key_attributes&, const key_attributes&) = default;
};

struct key_properties {
  std::string kid;
  key_identifier id; // parsed kid: vault_url, name, version (empty for GET /keys items)
  std::string kty;   // empty for list items
  std::vector<std::string> key_ops;
  key_attributes attributes;
  std::map<std::string, std::string> tags;
  bool managed = false; // backs a certificate: cannot be backed up as a key

  friend bool operator==(const key_properties&, const key_properties&) = default;
};

struct deleted_key_properties {
  key_properties key;
  std::string recovery_id; // empty when the vault has no soft delete
  std::optional<int64_t> deleted_date;
  std::optional<int64_t> scheduled_purge_date;

  friend bool operator==(const deleted_key_properties&, const deleted_key_properties&) = default;
};

} // namespace bulkd::keyvault
