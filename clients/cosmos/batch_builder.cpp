#include "clients/cosmos/batch_builder.hpp"

#include "clients/error.hpp"

#include <algorithm>

namespace bulkd::cosmos {

batch_builder::batch_builder(batch_limits limits) : limits_(limits) {
  limits_.max_operations = std::max<size_t>(1, limits_.max_operations);
}

size_t batch_builder::pending_bytes() const {
  // "[" + ops + "]" with the commas already in open_.json.
  return open_.tags.empty() ? 0 : open_.json.size() + 1;
}

caf::expected<std::vector<batch_body>> batch_builder::add(std::string operation, uint64_t tag) {
  if (operation.size() > limits_.max_operation_bytes)
    return make_error(ec::invalid_argument,
                      "operation " + std::to_string(tag) + " is " +
                          std::to_string(operation.size()) + " bytes, more than the " +
                          std::to_string(limits_.max_operation_bytes) + " one operation may have");
  std::vector<batch_body> done;
  auto alone = operation.size() + 2;
  if (!open_.tags.empty() && pending_bytes() + 1 + operation.size() > limits_.max_body_bytes) {
    if (auto body = flush())
      done.push_back(std::move(*body));
  }
  open_.json += open_.tags.empty() ? '[' : ',';
  open_.json += operation;
  open_.tags.push_back(tag);
  if (open_.tags.size() >= limits_.max_operations || alone > limits_.max_body_bytes) {
    if (auto body = flush())
      done.push_back(std::move(*body));
  }
  return done;
}

std::optional<batch_body> batch_builder::flush() {
  if (open_.tags.empty())
    return std::nullopt;
  open_.json += ']';
  batch_body out = std::move(open_);
  open_ = batch_body{};
  return out;
}

caf::expected<std::vector<batch_body>> pack_batches(const std::vector<std::string>& operations,
                                                    batch_limits limits) {
  batch_builder builder{limits};
  std::vector<batch_body> out;
  for (size_t i = 0; i < operations.size(); ++i) {
    auto done = builder.add(operations[i], i);
    if (!done)
      return done.error();
    for (auto& body : *done)
      out.push_back(std::move(body));
  }
  if (auto body = builder.flush())
    out.push_back(std::move(*body));
  return out;
}

} // namespace bulkd::cosmos
