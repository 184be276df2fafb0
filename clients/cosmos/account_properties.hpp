#pragma once

// The database account document (GET /): where to write and read, and the default consistency.

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bulkd::cosmos {

struct account_location {
  std::string name;
  std::string endpoint;

  friend bool operator==(const account_location&, const account_location&) = default;
};

struct account_properties {
  std::string id;
  std::vector<account_location> writable_locations;
  std::vector<account_location> readable_locations;
  /// userConsistencyPolicy.defaultConsistencyLevel; "Session" when absent (as the SDKs assume).
  std::string default_consistency = "Session";
  bool multiple_write_locations = false;
};

/// Requires "id" and both location arrays (each entry with string "name" and
/// "databaseAccountEndpoint"). Errors are ec::parse_error naming the field.
caf::expected<account_properties> parse_account_properties(std::string_view body);

} // namespace bulkd::cosmos
