#pragma once

// MurmurHash3 (Austin Appleby's x86 32-bit and x64 128-bit variants), the hashes behind EPKs.

#include <cstddef>
#include <cstdint>
#include <span>

namespace bulkd::cosmos {

uint32_t murmur3_x86_32(std::span<const uint8_t> data, uint32_t seed = 0);

struct murmur3_128 {
  uint64_t h1 = 0;
  uint64_t h2 = 0;
};

murmur3_128 murmur3_x64_128(std::span<const uint8_t> data, uint64_t seed = 0);

} // namespace bulkd::cosmos
