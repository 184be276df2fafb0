#pragma once

// The syntax tree of the supported Cosmos SQL subset. Parameters are bound while parsing, so a
// tree holds only literals, property paths rooted at the FROM alias, operators and calls.

#include "emulator/cosmos/sql/token.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bulkd::emulator::cosmos::sql::ast {

struct expression;
using expression_ptr = std::shared_ptr<const expression>;

/// A JSON value; std::nullopt is Cosmos' `undefined`.
struct literal {
  std::optional<nlohmann::json> value;
};

/// alias.a["b c"][0]: the alias itself when steps is empty. A step is a property name or an
/// array index.
struct path {
  std::vector<std::variant<std::string, std::int64_t>> steps;
};

enum class unary_op : std::uint8_t { logical_not };

enum class binary_op : std::uint8_t {
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
};

struct unary {
  unary_op op;
  expression_ptr operand;
};

struct binary {
  binary_op op;
  expression_ptr lhs;
  expression_ptr rhs;
};

enum class logical_op : std::uint8_t { logical_and, logical_or };

/// a AND b AND c (or OR): kept flat, so that long chains (ReadMany's ORs) stay shallow.
struct logical {
  logical_op op;
  std::vector<expression_ptr> operands; // two or more
};

/// needle [NOT] IN (candidates...)
struct in_list {
  expression_ptr needle;
  std::vector<expression_ptr> candidates;
  bool negated = false;
};

/// value [NOT] BETWEEN low AND high
struct between {
  expression_ptr value;
  expression_ptr low;
  expression_ptr high;
  bool negated = false;
};

enum class function : std::uint8_t {
  count, // only as the whole of a SELECT item; the evaluator never sees it
  starts_with,
  ends_with,
  contains,
  array_contains,
  is_defined,
  is_null,
  is_string,
  is_number,
  is_bool,
  is_array,
  is_object,
};

struct call {
  function fn;
  std::vector<expression_ptr> args;
};

struct expression {
  std::variant<literal, path, unary, binary, logical, in_list, between, call> node;
  source_position pos;
  std::uint32_t height = 1; // of the tree below; the parser bounds it (evaluation recurses)
};

struct projection {
  expression_ptr expr;
  std::string name; // the output property: AS alias, the path's last name, or $1, $2, ...
};

enum class select_kind : std::uint8_t {
  star,  // SELECT *
  value, // SELECT VALUE expr
  items, // SELECT a, b AS x, ...
};

enum class sort_direction : std::uint8_t { ascending, descending };

struct order_by {
  expression_ptr key; // always a path
  sort_direction direction = sort_direction::ascending;
};

struct query {
  bool distinct = false; // SELECT DISTINCT: equal rows (numbers by value) are returned once
  std::optional<std::uint64_t> top;
  select_kind kind = select_kind::star;
  expression_ptr value;                // kind == value
  std::vector<projection> projections; // kind == items
  std::string alias;                   // FROM <container> [AS] <alias>
  expression_ptr where;                // null when there is no WHERE
  std::optional<order_by> order;
  std::optional<std::uint64_t> offset; // OFFSET and LIMIT come together
  std::optional<std::uint64_t> limit;
};

} // namespace bulkd::emulator::cosmos::sql::ast
