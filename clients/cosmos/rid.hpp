#pragma once

// Resource ids (_rid) in the layout .NET's ResourceId parser expects: little-endian integers,
// 4 bytes database, 8 bytes collection (or user), 16 bytes child, base64 with '/' as '-'.

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bulkd::cosmos {

/// The type in the high nibble of byte 15 of a 16-byte RID.
enum class rid_child_type : uint8_t {
  document = 0x0,
  conflict = 0x4,
  partition_key_range = 0x5,
  user_defined_function = 0x6,
  trigger = 0x7,
  stored_procedure = 0x8,
  schema = 0x9,
};

enum class rid_kind { database, collection, user, child, permission };

const char* to_string(rid_kind kind);

struct resource_id {
  rid_kind kind = rid_kind::database;
  uint32_t database = 0;
  /// The raw collection (or user) word; collections have bit 0x80 set.
  uint32_t collection = 0;
  /// The raw child word: type in the top 4 bits, id in the lower 60.
  uint64_t child = 0;

  rid_child_type child_type() const { return static_cast<rid_child_type>(child >> 60); }
  uint64_t child_id() const { return child & ((uint64_t{1} << 60) - 1); }

  friend bool operator==(const resource_id&, const resource_id&) = default;
};

/// Collection words carry the 0x80 marker bit in their first (lowest) byte. The number's low 7 bits
/// sit beside the marker and the rest above that byte, so distinct numbers below 2^31 give
/// distinct words (numbers below 128 give number | 0x80).
uint32_t collection_word(uint32_t number);

/// The number a collection word was made from (the inverse of collection_word).
uint32_t collection_number_of(uint32_t word);

/// Child words: the type in the top nibble, `number` (below 2^60) in the rest.
uint64_t child_word(rid_child_type type, uint64_t number);

resource_id database_rid(uint32_t database);
resource_id collection_rid(uint32_t database, uint32_t collection_number);
resource_id child_rid(uint32_t database, uint32_t collection_number, rid_child_type type,
                      uint64_t number);

/// Encodes as base64 of 4, 8 or 16 bytes, '/' replaced by '-'.
std::string to_string(const resource_id& rid);

/// Parses a RID string; the byte length decides the kind.
caf::expected<resource_id> parse_rid(std::string_view text);

/// True when `text` decodes to exactly 4 bytes, i.e. it is a database RID. Paths whose second
/// segment is one are RID-based, all others name-based.
bool is_database_rid(std::string_view text);

} // namespace bulkd::cosmos
