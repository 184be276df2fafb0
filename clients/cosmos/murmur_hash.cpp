#include "clients/cosmos/murmur_hash.hpp"

#include <algorithm>
#include <bit>

namespace bulkd::cosmos {

namespace {

// Blocks are read little-endian whatever the host, as the SDKs do.
uint32_t load32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

uint64_t load64(const uint8_t* p) {
  return uint64_t{load32(p)} | uint64_t{load32(p + 4)} << 32;
}

uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return h;
}

uint64_t fmix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

} // namespace

uint32_t murmur3_x86_32(std::span<const uint8_t> data, uint32_t seed) {
  constexpr uint32_t c1 = 0xcc9e2d51U;
  constexpr uint32_t c2 = 0x1b873593U;
  const auto size = data.size();
  const auto blocks = size / 4;
  uint32_t h = seed;
  for (size_t i = 0; i < blocks; ++i) {
    auto k = load32(data.data() + 4 * i);
    k *= c1;
    k = std::rotl(k, 15);
    k *= c2;
    h ^= k;
    h = std::rotl(h, 13);
    h = h * 5 + 0xe6546b64U;
  }
  const uint8_t* tail = data.data() + 4 * blocks;
  uint32_t k = 0;
  switch (size & 3) {
  case 3:
    k ^= uint32_t{tail[2]} << 16;
    [[fallthrough]];
  case 2:
    k ^= uint32_t{tail[1]} << 8;
    [[fallthrough]];
  case 1:
    k ^= tail[0];
    k *= c1;
    k = std::rotl(k, 15);
    k *= c2;
    h ^= k;
  }
  h ^= static_cast<uint32_t>(size);
  return fmix32(h);
}

murmur3_128 murmur3_x64_128(std::span<const uint8_t> data, uint64_t seed) {
  constexpr uint64_t c1 = 0x87c37b91114253d5ULL;
  constexpr uint64_t c2 = 0x4cf5ad432745937fULL;
  const auto size = data.size();
  const auto blocks = size / 16;
  uint64_t h1 = seed;
  uint64_t h2 = seed;
  for (size_t i = 0; i < blocks; ++i) {
    auto k1 = load64(data.data() + 16 * i);
    auto k2 = load64(data.data() + 16 * i + 8);
    k1 *= c1;
    k1 = std::rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
    h1 = std::rotl(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= c2;
    k2 = std::rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
    h2 = std::rotl(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }
  const uint8_t* tail = data.data() + 16 * blocks;
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  auto rest = size & 15;
  for (size_t i = rest; i > 8; --i)
    k2 ^= uint64_t{tail[i - 1]} << (8 * (i - 9));
  if (rest > 8) {
    k2 *= c2;
    k2 = std::rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
  }
  for (size_t i = std::min<size_t>(rest, 8); i > 0; --i)
    k1 ^= uint64_t{tail[i - 1]} << (8 * (i - 1));
  if (rest > 0) {
    k1 *= c1;
    k1 = std::rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
  }
  h1 ^= size;
  h2 ^= size;
  h1 += h2;
  h2 += h1;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 += h2;
  h2 += h1;
  return {h1, h2};
}

} // namespace bulkd::cosmos
