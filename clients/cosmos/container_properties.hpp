#pragma once

// A container as GET /dbs/{db}/colls/{c} (or its creation) returns it: what bulkd needs to route
// documents (the partition key definition) and to check a change feed's continuation (the RID).

#include "clients/cosmos/partition_key_definition.hpp"

#include <caf/expected.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace bulkd::cosmos {

struct container_properties {
  std::string id;
  /// "_rid": the collection's RID (x-ms-content-path of its responses).
  std::string rid;
  partition_key_definition partition_key;
  /// "defaultTtl" in seconds when set (-1: on, without a default).
  std::optional<int64_t> default_ttl;
};

/// Requires "id", "_rid" and a valid "partitionKey" (a definition without "version" is V1, as
/// the service treats it). Errors are ec::parse_error naming the field.
caf::expected<container_properties> parse_container_properties(std::string_view body);

} // namespace bulkd::cosmos
