#pragma once

// Parses the supported Cosmos SQL subset into an ast::query, binding @parameters on the way.
//
//   SELECT [DISTINCT] [TOP n] { * | VALUE expr | expr [[AS] name], ... }
//   FROM container [[AS] alias]
//   [WHERE expr] [ORDER BY path [ASC|DESC]] [OFFSET n LIMIT m]
//
// Expressions: literals ('..', "..", numbers, true, false, null, undefined), @parameters, paths
// (alias.a.b, alias["a b"], alias[0]), = != <> < <= > >=, [NOT] IN (..), [NOT] BETWEEN .. AND ..,
// AND, OR, NOT (a prefix operator binding tighter than comparisons, as in Cosmos: NOT c.a = 1 is
// (NOT c.a) = 1), parentheses, and the functions STARTSWITH, ENDSWITH, CONTAINS (the three with
// an optional ignoreCase, ASCII case folding), ARRAY_CONTAINS (with optional partial), IS_DEFINED,
// IS_NULL, IS_STRING, IS_NUMBER, IS_BOOL, IS_ARRAY, IS_OBJECT; COUNT(expr) as a whole SELECT item
// or SELECT VALUE. TOP, OFFSET and LIMIT take a non-negative integer or a parameter holding one.
// Keywords and function names are case-insensitive; identifiers are not.
//
// Anything else fails with a message naming it and its position, e.g. "unsupported: GROUP BY at
// 1:30", "unknown parameter @y at 1:31", "syntax error: expected FROM, found 'WHERE' at 1:10".

#include "emulator/cosmos/sql/ast.hpp"
#include "emulator/cosmos/sql/query_parameters.hpp"

#include <caf/expected.hpp>

#include <string_view>

namespace bulkd::emulator::cosmos::sql {

caf::expected<ast::query> parse_query(std::string_view text, const parameter_map& parameters);

} // namespace bulkd::emulator::cosmos::sql
