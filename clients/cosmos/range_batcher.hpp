#pragma once

// Bulk grouping: operations are routed by their partition key's EPK to the physical range that
// holds it, and packed per range into bodies for request_builder::bulk.

#include "clients/cosmos/batch_builder.hpp"
#include "clients/cosmos/batch_operation.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/routing_map.hpp"

#include <caf/expected.hpp>

#include <map>
#include <string>
#include <vector>

namespace bulkd::cosmos {

struct range_batch {
  std::string range_id;
  batch_body body;
};

class range_batcher {
public:
  range_batcher(routing_map map, partition_key_definition definition, batch_limits limits = {});

  /// Routes and packs one operation; returns the batches it completes. Errors
  /// (ec::invalid_argument) for an operation that does not serialize, a key that does not fit
  /// the definition, or one that is too large; nothing is added then.
  caf::expected<std::vector<range_batch>> add(const batch_operation& op, uint64_t tag);

  /// Closes every open batch.
  std::vector<range_batch> flush();

  /// The range an operation goes to.
  caf::expected<std::string> route(const partition_key& key) const;

  size_t pending_operations() const;

  const routing_map& map() const { return map_; }

private:
  routing_map map_;
  partition_key_definition definition_;
  batch_limits limits_;
  std::map<std::string, batch_builder> open_;
};

} // namespace bulkd::cosmos
