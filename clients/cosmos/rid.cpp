#include "clients/cosmos/rid.hpp"

#include "clients/cosmos/base64.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace bulkd::cosmos {

namespace {

constexpr uint32_t collection_marker = 0x80;

void put_le(uint8_t* out, uint64_t value, size_t size) {
  for (size_t i = 0; i < size; ++i)
    out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t get_le(const uint8_t* in, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i)
    value |= uint64_t{in[i]} << (8 * i);
  return value;
}

bool known_child_type(uint8_t nibble) {
  switch (nibble) {
  case 0x0:
  case 0x4:
  case 0x5:
  case 0x6:
  case 0x7:
  case 0x8:
  case 0x9:
    return true;
  default:
    return false;
  }
}

} // namespace

const char* to_string(rid_kind kind) {
  switch (kind) {
  case rid_kind::database:
    return "database";
  case rid_kind::collection:
    return "collection";
  case rid_kind::user:
    return "user";
  case rid_kind::child:
    return "child";
  case rid_kind::permission:
    return "permission";
  }
  return "unknown";
}

uint32_t collection_word(uint32_t number) {
  return ((number & ~0x7Fu) << 1) | collection_marker | (number & 0x7Fu);
}

uint32_t collection_number_of(uint32_t word) {
  return ((word >> 8) << 7) | (word & 0x7Fu);
}

uint64_t child_word(rid_child_type type, uint64_t number) {
  return (uint64_t{static_cast<uint8_t>(type)} << 60) | (number & ((uint64_t{1} << 60) - 1));
}

resource_id database_rid(uint32_t database) {
  return {rid_kind::database, database, 0, 0};
}

resource_id collection_rid(uint32_t database, uint32_t collection_number) {
  return {rid_kind::collection, database, collection_word(collection_number), 0};
}

resource_id child_rid(uint32_t database, uint32_t collection_number, rid_child_type type,
                      uint64_t number) {
  return {rid_kind::child, database, collection_word(collection_number), child_word(type, number)};
}

std::string to_string(const resource_id& rid) {
  std::array<uint8_t, 16> bytes{};
  size_t size = 4;
  put_le(bytes.data(), rid.database, 4);
  if (rid.kind != rid_kind::database) {
    put_le(bytes.data() + 4, rid.collection, 4);
    size = 8;
  }
  if (rid.kind == rid_kind::child || rid.kind == rid_kind::permission) {
    put_le(bytes.data() + 8, rid.child, 8);
    size = 16;
  }
  auto text = base64_encode(bytes.data(), size);
  std::replace(text.begin(), text.end(), '/', '-');
  return text;
}

caf::expected<resource_id> parse_rid(std::string_view text) {
  std::string standard{text};
  std::replace(standard.begin(), standard.end(), '-', '/');
  auto bytes = base64_decode(standard);
  if (!bytes)
    return make_error(ec::parse_error,
                      "invalid RID '" + std::string{text} + "': " + error_message(bytes.error()));
  resource_id rid;
  switch (bytes->size()) {
  case 4:
    rid.kind = rid_kind::database;
    break;
  case 8:
  case 16:
    break;
  default:
    return make_error(ec::parse_error, "invalid RID '" + std::string{text} +
                                           "': " + std::to_string(bytes->size()) +
                                           " bytes (expected 4, 8 or 16)");
  }
  rid.database = static_cast<uint32_t>(get_le(bytes->data(), 4));
  if (bytes->size() >= 8) {
    rid.collection = static_cast<uint32_t>(get_le(bytes->data() + 4, 4));
    bool is_collection = (rid.collection & collection_marker) != 0;
    rid.kind = is_collection ? rid_kind::collection : rid_kind::user;
    if (bytes->size() == 16) {
      rid.child = get_le(bytes->data() + 8, 8);
      if (is_collection) {
        rid.kind = rid_kind::child;
        auto nibble = static_cast<uint8_t>(rid.child >> 60);
        if (!known_child_type(nibble))
          return make_error(ec::parse_error, "invalid RID '" + std::string{text} +
                                                 "': unknown child type " + std::to_string(nibble));
      } else {
        rid.kind = rid_kind::permission;
      }
    }
  }
  return rid;
}

bool is_database_rid(std::string_view text) {
  auto rid = parse_rid(text);
  return rid && rid->kind == rid_kind::database;
}

} // namespace bulkd::cosmos
