#pragma once

// Standard base64 (RFC 4648 §4, padded) as Cosmos uses it for keys, signatures and RIDs.

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::cosmos {

std::string base64_encode(const uint8_t* data, size_t size);

inline std::string base64_encode(std::string_view bytes) {
  return base64_encode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

/// Strict decoding: the length must be a multiple of 4, padding only at the end, no whitespace.
caf::expected<std::vector<uint8_t>> base64_decode(std::string_view text);

} // namespace bulkd::cosmos
