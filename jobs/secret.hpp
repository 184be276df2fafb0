#pragma once

// A string that must never be shown: it prints, formats and serializes as `***`. The only way to
// the value is an explicit reveal(), used where the secret is handed to the code that needs it
// (signing a request, encrypting a file).

#include <ostream>
#include <string>
#include <utility>

namespace bulkd {

class secret {
public:
  static constexpr const char* mask = "***";

  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend bool operator==(const secret&, const secret&) = default;

  friend std::string to_string(const secret&) { return mask; }

  friend std::ostream& operator<<(std::ostream& os, const secret&) { return os << mask; }

private:
  std::string value_;
};

} // namespace bulkd
