#pragma once

// How Cosmos compares JSON values.
//
// In expressions (WHERE): values of different types are not comparable (the comparison is
// undefined, so the document does not match), all numbers are one type (1 = 1.0), strings compare
// by code point (UTF-8 byte order), false < true, null = null. Objects and arrays support only =
// (deep equality); any other comparison involving them is undefined.
//
// In ORDER BY every value has a place: undefined < null < false < true < numbers < strings <
// arrays < objects (the service's type order; arrays and objects, which the service orders by a
// hash, are ordered here by their serialized text, which is stable but arbitrary). Documents
// lacking the ORDER BY property are returned (current service behaviour), first when ascending.

#include <nlohmann/json.hpp>

#include <optional>

namespace bulkd::emulator::cosmos::sql {

/// -1, 0 or 1 for two numbers of any representation (int64, uint64, double).
int compare_numbers(const nlohmann::json& a, const nlohmann::json& b);

/// -1, 0 or 1 when a and b are both null, both booleans, both numbers or both strings;
/// std::nullopt otherwise (mixed types, objects, arrays).
std::optional<int> compare_scalars(const nlohmann::json& a, const nlohmann::json& b);

/// The result of a = b in an expression: std::nullopt is undefined (different types).
std::optional<bool> equals(const nlohmann::json& a, const nlohmann::json& b);

/// A total order for ORDER BY; std::nullopt is undefined. -1, 0 or 1.
int order_compare(const std::optional<nlohmann::json>& a, const std::optional<nlohmann::json>& b);

} // namespace bulkd::emulator::cosmos::sql
