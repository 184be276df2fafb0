#include "emulator/cosmos/sql/value_order.hpp"

#include <cstdint>

namespace bulkd::emulator::cosmos::sql {

namespace {

using nlohmann::json;

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// The ORDER BY rank of a type.
int type_rank(const std::optional<json>& v) {
  if (!v)
    return 0;
  switch (v->type()) {
  case json::value_t::null:
    return 1;
  case json::value_t::boolean:
    return 2;
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
  case json::value_t::number_float:
    return 3;
  case json::value_t::string:
    return 4;
  case json::value_t::array:
    return 5;
  case json::value_t::object:
    return 6;
  default:
    return 7; // binary and discarded never come from parsed JSON
  }
}

} // namespace

int compare_numbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    bool au = a.is_number_unsigned();
    bool bu = b.is_number_unsigned();
    if (au && bu)
      return three_way(a.get<std::uint64_t>(), b.get<std::uint64_t>());
    if (!au && !bu)
      return three_way(a.get<std::int64_t>(), b.get<std::int64_t>());
    if (au) {
      auto bv = b.get<std::int64_t>();
      return bv < 0 ? 1 : three_way(a.get<std::uint64_t>(), static_cast<std::uint64_t>(bv));
    }
    auto av = a.get<std::int64_t>();
    return av < 0 ? -1 : three_way(static_cast<std::uint64_t>(av), b.get<std::uint64_t>());
  }
  return three_way(a.get<double>(), b.get<double>());
}

std::optional<int> compare_scalars(const json& a, const json& b) {
  if (a.is_number() && b.is_number())
    return compare_numbers(a, b);
  if (a.is_null() && b.is_null())
    return 0;
  if (a.is_boolean() && b.is_boolean())
    return three_way(a.get<bool>(), b.get<bool>());
  if (a.is_string() && b.is_string())
    return three_way(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
  return std::nullopt;
}

std::optional<bool> equals(const json& a, const json& b) {
  if (auto c = compare_scalars(a, b))
    return *c == 0;
  if ((a.is_array() && b.is_array()) || (a.is_object() && b.is_object()))
    return a == b;
  return std::nullopt;
}

int order_compare(const std::optional<json>& a, const std::optional<json>& b) {
  int ra = type_rank(a);
  int rb = type_rank(b);
  if (ra != rb)
    return three_way(ra, rb);
  if (!a)
    return 0;
  if (auto c = compare_scalars(*a, *b))
    return *c;
  return three_way(a->dump(), b->dump());
}

} // namespace bulkd::emulator::cosmos::sql
