#pragma once

// JSON pointers (RFC 6901) as used for id and partition key paths: "/a/b", with ~0 and ~1.

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

struct json_pointer {
  std::string text;
  std::vector<std::string> segments; // unescaped

  friend bool operator==(const json_pointer&, const json_pointer&) = default;
};

/// Parses a pointer to a member: it must start with '/' ("" = the whole document is refused).
caf::expected<json_pointer> parse_json_pointer(std::string_view text);

} // namespace bulkd
