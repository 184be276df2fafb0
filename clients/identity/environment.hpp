#pragma once

// Environment variables as a value, so credential selection can be tested with any combination.

#include <map>
#include <string>
#include <string_view>

namespace bulkd::identity {

class environment {
public:
  using map = std::map<std::string, std::string, std::less<>>;

  environment() = default;
  explicit environment(map vars) : vars_(std::move(vars)) {}

  /// A snapshot of this process's environment.
  static environment process();

  /// The value, or empty when unset. Set-but-empty counts as unset, as in the Azure SDKs.
  std::string get(std::string_view name) const;
  bool has(std::string_view name) const { return !get(name).empty(); }

  void set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }

private:
  map vars_;
};

} // namespace bulkd::identity
