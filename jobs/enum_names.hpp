#pragma once

// Names of the enums that appear in specs. Each enum specializes `enum_names<E>` with a `values`
// array of (value, spec spelling); loader, printer and logs share these spellings.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace bulkd {

template <class E>
struct enum_names; // specialize: static constexpr std::array<std::pair<E, std::string_view>, N>
                   // values

template <class E>
constexpr std::string_view enum_name(E value) {
  for (auto& [v, name] : enum_names<E>::values)
    if (v == value)
      return name;
  return "?";
}

template <class E>
constexpr std::optional<E> enum_from_name(std::string_view name) {
  for (auto& [v, n] : enum_names<E>::values)
    if (n == name)
      return v;
  return std::nullopt;
}

/// "a, b or c", for error messages.
template <class E>
std::string enum_choices() {
  std::string out;
  const auto& vs = enum_names<E>::values;
  for (size_t i = 0; i < vs.size(); ++i) {
    if (i > 0)
      out += i + 1 == vs.size() ? " or " : ", ";
    out += vs[i].second;
  }
  return out;
}

} // namespace bulkd
