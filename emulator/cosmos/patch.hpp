#pragma once

// Cosmos partial document update (PATCH): the request body and the operations on a JSON document.
// Paths are JSON pointers ("/a/0/b", "~1" for '/', "~0" for '~'); "-" appends to an array.
//
//   auto req = parse_patch_request(body);        // {"operations":[...],"condition":...} or [...]
//   auto patched = apply_patch(doc, req->operations);

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace bulkd::emulator::cosmos {

/// Cosmos accepts at most this many operations in one patch.
inline constexpr size_t max_patch_operations = 10;

struct patch_request {
  nlohmann::json operations; // an array of checked operations
  std::string condition;     // "FROM c WHERE ..." or empty
};

/// Checks the body's shape and every operation (op, path, value, from). Errors are
/// ec::invalid_argument with the 400 message.
caf::expected<patch_request> parse_patch_request(const nlohmann::json& body);

/// Applies the operations in order to a copy of doc. Errors (a missing target, a non-number for
/// incr, ...) are ec::invalid_argument with the 400 message.
caf::expected<nlohmann::json> apply_patch(nlohmann::json doc, const nlohmann::json& operations);

} // namespace bulkd::emulator::cosmos
