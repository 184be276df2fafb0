#pragma once

// Sizes in specs: plain bytes (`1048576`) or a number with a unit: B, KB/MB/GB/TB (powers of
// 1000) or KiB/MiB/GiB/TiB (powers of 1024), e.g. `256MiB`, `1GB`, `512KiB`.

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bulkd {

caf::expected<uint64_t> parse_byte_size(std::string_view text);

/// The shortest exact form with binary units preferred: 268435456 -> `256MiB`, 1000 -> `1KB`.
std::string format_byte_size(uint64_t bytes);

} // namespace bulkd
