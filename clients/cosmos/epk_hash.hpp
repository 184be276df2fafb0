#pragma once

// Effective partition keys (EPK): the uppercase hex strings pkranges are bounded by. V1 (murmur3
// 32-bit hash + binary-encoded values), V2 (murmur3 128-bit, top two bits cleared) and MultiHash
// (one V2 hash per level, concatenated).

#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace bulkd::cosmos {

/// V1 ("version" absent or 1): strings are cut to 100 UTF-16 code units first.
std::string epk_v1(const partition_key& key);

/// V2, kind Hash: all components hashed together; 32 hex digits.
std::string epk_v2(const partition_key& key);

/// MultiHash: the V2 EPK of each component on its own, concatenated (32 hex digits per level).
std::string epk_multi_hash(const partition_key& key);

/// The EPK under a container's definition. An empty key gives "" (the minimum). For MultiHash a
/// prefix (fewer components than paths) gives the prefix's EPK; see epk_range_for for its range.
caf::expected<std::string> effective_partition_key(const partition_key& key,
                                                   const partition_key_definition& definition);

/// The EPKs a key covers: a full key the point [epk, epk] (max inclusive), a MultiHash prefix
/// [prefix, prefix + "FF"), the empty key everything.
caf::expected<epk_range> epk_range_for(const partition_key& key,
                                       const partition_key_definition& definition);

/// The order-preserving binary encoding of a double, marker 0x05 first (V1 EPKs start with the
/// hash encoded this way).
std::vector<uint8_t> encode_number_v1(double value);

/// Uppercase hex of bytes.
std::string to_hex(const std::vector<uint8_t>& bytes);

} // namespace bulkd::cosmos
