#pragma once

// Evaluates an expression of the subset against one document (bound to the FROM alias), with
// Cosmos' three-valued logic: a comparison involving undefined or values of different types is
// undefined; AND is false if either side is false, true if both are true, undefined otherwise; OR
// is true if either side is true, false if both are false, undefined otherwise; NOT of a
// non-boolean is undefined. Functions given arguments of the wrong type return undefined.

#include "emulator/cosmos/sql/ast.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace bulkd::emulator::cosmos::sql {

/// The value of e; std::nullopt is undefined. COUNT is not evaluated here (undefined).
std::optional<nlohmann::json> evaluate(const ast::expression& e, const nlohmann::json& doc);

/// WHERE semantics: true only when e evaluates to the boolean true.
bool is_true(const ast::expression& e, const nlohmann::json& doc);

} // namespace bulkd::emulator::cosmos::sql
