#pragma once

// KeyAttributes of one key version as Key Vault reports them: timestamps are Unix seconds.

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace bulkd::emulator::keyvault {

struct key_attributes {
  bool enabled = true;
  std::optional<int64_t> nbf;
  std::optional<int64_t> exp;
  int64_t created = 0;
  int64_t updated = 0;
  std::string recovery_level = "Recoverable+Purgeable";
  std::optional<int64_t> recoverable_days;
  std::optional<bool> exportable;

  friend bool operator==(const key_attributes&, const key_attributes&) = default;
};

/// The REST shape: {"enabled", "nbf"?, "exp"?, "created", "updated", "recoveryLevel",
/// "recoverableDays"?, "exportable"?}; unset optionals are left out.
nlohmann::json to_json(const key_attributes& attributes);

/// Reads the REST shape back. Every field is optional (absent ones keep their defaults), but a
/// present field must have the right JSON type; timestamps must be integers.
caf::expected<key_attributes> parse_key_attributes(const nlohmann::json& object);

} // namespace bulkd::emulator::keyvault
