#pragma once

// A change as the cosmos sink writes it into its target container: the feed's document without
// the system properties the service adds (_rid, _self, _etag, _attachments, _ts, _lsn), its id,
// and its partition key by the TARGET container's definition (which may differ from the
// source's). The members that stay are copied byte for byte (id and user fields keep their
// escapes and number spellings); only whitespace between members is dropped.

#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd {

struct sink_document {
  std::string id;
  cosmos::partition_key key;
  std::string body; // a JSON object
};

/// Whether a top-level member is one the feed's system adds and the target must not receive.
/// Other names with a leading underscore are user fields and stay.
bool is_system_property(std::string_view name);

/// Prepares one document of a change batch. A key path that is missing (or ends at an object or
/// array) gives the undefined key component, as in the service. Errors: ec::parse_error
/// ("invalid JSON: ..."), ec::invalid_argument ("not a JSON object but an array", "no \"id\"
/// string", a key the definition cannot take).
caf::expected<sink_document> prepare_sink_document(std::string_view text,
                                                   const cosmos::partition_key_definition& target);

} // namespace bulkd
