#pragma once

// One operation of a batch or bulk request in the JSON wire form the SDKs send:
// {"operationType":"Upsert","partitionKey":"[\"k1\"]","resourceBody":{...}}.

#include "clients/cosmos/partition_key.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd::cosmos {

enum class operation_type { create, upsert, replace, read, remove, patch };

/// The wire name: Create, Upsert, Replace, Read, Delete, Patch.
const char* to_string(operation_type type);

struct batch_operation {
  operation_type type = operation_type::upsert;
  /// The document id; required by Replace, Read, Delete and Patch (Create and Upsert take it
  /// from the body).
  std::string id;
  partition_key key;
  /// JSON text inserted as is: the document (Create, Upsert, Replace) or the patch body
  /// {"operations":[...],"condition":"..."} (Patch). It must be a single JSON object.
  std::string resource_body;
  std::string if_match;
  /// Bulk needs the key on every operation (as a string holding the header's JSON array); a
  /// transactional batch carries it in the request header and may leave it out.
  bool include_partition_key = true;
};

/// The operation's JSON. ec::invalid_argument when a required field is missing or one that the
/// type does not take is set.
caf::expected<std::string> serialize(const batch_operation& op);

} // namespace bulkd::cosmos
