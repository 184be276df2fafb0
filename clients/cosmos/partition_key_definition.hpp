#pragma once

// A container's partitionKey definition ({"paths":["/pk"],"kind":"Hash","version":2}) and the
// extraction of a document's key along its paths.

#include "clients/cosmos/partition_key.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bulkd::cosmos {

enum class partition_kind { hash, multi_hash };

struct partition_key_definition {
  std::vector<std::string> paths;
  partition_kind kind = partition_kind::hash;
  /// 1 when the container's definition has no version (what JS sends by default).
  int version = 1;
  /// The parsed paths, filled by the parsing functions below so that extraction does not parse
  /// them per document; when empty, extraction parses `paths` itself.
  std::vector<std::vector<std::string>> path_segments;
};

/// Builds and checks a definition from its parts (the same checks as parsing JSON).
caf::expected<partition_key_definition>
make_partition_key_definition(std::vector<std::string> paths, partition_kind kind, int version);

/// Reads the "partitionKey" object of a container. Checks: at least one path, every path
/// parses, kind Hash (1 path) or MultiHash (version 2, 1-3 paths), version 1 or 2.
caf::expected<partition_key_definition> parse_partition_key_definition(const nlohmann::json& json);

/// Splits "/a/b" into {"a", "b"}. Segments in double or single quotes may contain '/', a quote
/// preceded by a backslash does not end them, and their text is kept verbatim (as the .NET and JS
/// SDKs do); unquoted segments are trimmed.
caf::expected<std::vector<std::string>> parse_partition_key_path(std::string_view path);

/// The document's key: one component per path. A missing property, or one under a non-object,
/// gives undefined; JSON null gives null. An object or array at the end of the path also counts as
/// undefined.
caf::expected<partition_key> extract_partition_key(const nlohmann::json& document,
                                                   const partition_key_definition& definition);

/// Convenience for a document given as text.
caf::expected<partition_key> extract_partition_key(std::string_view document,
                                                   const partition_key_definition& definition);

} // namespace bulkd::cosmos
