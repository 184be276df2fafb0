#pragma once

// HTTP header fields in wire order; names compare case-insensitively (RFC 9110 §5.1).

#include <caf/meta/type_name.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulkd {

/// ASCII case-insensitive equality, for header names and URL schemes.
bool iequals(std::string_view a, std::string_view b);

class http_headers {
public:
  using field = std::pair<std::string, std::string>;
  using container = std::vector<field>;

  http_headers() = default;
  http_headers(std::initializer_list<field> fields) : fields_(fields) {}

  /// The value of the first field named `name`, or nullptr.
  const std::string* find(std::string_view name) const;

  /// The value of the first field named `name`, or `fallback`.
  std::string value(std::string_view name, std::string_view fallback = {}) const;

  bool contains(std::string_view name) const { return find(name) != nullptr; }

  /// Appends a field, keeping fields of the same name (e.g. Set-Cookie).
  void add(std::string name, std::string value);

  /// Replaces every field named `name` by one field.
  void set(std::string name, std::string value);

  /// Removes every field named `name`; returns how many were removed.
  size_t erase(std::string_view name);

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  container::const_iterator begin() const { return fields_.begin(); }
  container::const_iterator end() const { return fields_.end(); }

  friend bool operator==(const http_headers&, const http_headers&) = default;

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, http_headers& x) {
    return f(caf::meta::type_name("http_headers"), x.fields_);
  }

private:
  container fields_;
};

} // namespace bulkd
