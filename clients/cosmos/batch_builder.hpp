#pragma once

// Packs serialized batch operations into request bodies of at most 100 operations and a byte
// budget (the SDKs' 220,201 bytes for bulk), one builder per partition key range.

#include <caf/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bulkd::cosmos {

struct batch_limits {
  size_t max_operations = 100;
  /// The target body size; a batch is closed before an operation would push it over.
  size_t max_body_bytes = 220'201;
  /// Larger single operations are refused: the service's 2 MB document limit plus room for the
  /// operation's own fields.
  size_t max_operation_bytes = 2 * 1024 * 1024 + 4096;
};

/// A finished request body: "[op,op,...]", and the caller's tags in operation order (results
/// come back in the same order).
struct batch_body {
  std::string json;
  std::vector<uint64_t> tags;

  size_t operations() const { return tags.size(); }
};

class batch_builder {
public:
  explicit batch_builder(batch_limits limits = {});

  /// Adds one serialized operation (see serialize(batch_operation)). Returns the batches this
  /// completes: the open one when the operation does not fit into it any more, or when it
  /// reaches max_operations; an operation larger than the byte budget on its own goes out alone.
  /// ec::invalid_argument (nothing added) when it exceeds max_operation_bytes.
  caf::expected<std::vector<batch_body>> add(std::string operation, uint64_t tag);

  /// Closes and returns the open batch, if it has operations.
  std::optional<batch_body> flush();

  size_t pending_operations() const { return open_.tags.size(); }
  /// The size the open batch's body would have.
  size_t pending_bytes() const;

  const batch_limits& limits() const { return limits_; }

private:
  batch_limits limits_;
  batch_body open_;
};

/// Packs a whole list at once (tags are the indexes into `operations`).
caf::expected<std::vector<batch_body>> pack_batches(const std::vector<std::string>& operations,
                                                    batch_limits limits = {});

} // namespace bulkd::cosmos
