#pragma once

// Partition key values and their header form (x-ms-documentdb-partitionkey: ["pk1"]).

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bulkd::cosmos {

/// The value of a document without the partition key property; written as {} in headers.
struct pk_undefined {
  friend bool operator==(pk_undefined, pk_undefined) = default;
};

/// One component: undefined, null, a boolean, a number (always a double, as in every SDK) or a
/// string (UTF-8).
using pk_value = std::variant<pk_undefined, std::nullptr_t, bool, double, std::string>;

/// One value per path of the container (several for MultiHash). Empty ([] in headers) is the key
/// of a container without partition key paths and hashes to the minimum EPK "".
using partition_key = std::vector<pk_value>;

/// The JSON array for the x-ms-documentdb-partitionkey header: integral numbers without a decimal
/// point, undefined as {}, non-ASCII characters as \uXXXX escapes.
std::string to_header(const partition_key& key);

/// Parses a header value. Accepts strings, numbers, booleans, null and {} as elements.
caf::expected<partition_key> parse_partition_key_header(std::string_view text);

} // namespace bulkd::cosmos
