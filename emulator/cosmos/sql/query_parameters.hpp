#pragma once

// The "parameters" array of a query request: [{"name":"@x","value":...}, ...].

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace bulkd::emulator::cosmos::sql {

/// Name (with its '@') to value; std::nullopt when the entry has no "value" (undefined, which is
/// what the JS SDK sends for a parameter whose value is `undefined`).
using parameter_map = std::map<std::string, std::optional<nlohmann::json>, std::less<>>;

/// Checks and indexes the array. null (or a missing array) means no parameters. Errors: not an
/// array, an entry without a string "name", a name not starting with '@', a duplicate name.
caf::expected<parameter_map> parse_parameters(const nlohmann::json& parameters);

} // namespace bulkd::emulator::cosmos::sql
