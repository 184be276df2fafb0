#include "jobs/byte_size.hpp"

#include "clients/error.hpp"
#include "jobs/scaled_number.hpp"

#include <limits>

namespace bulkd {

namespace {

constexpr uint64_t ki = 1024;
constexpr uint64_t k = 1000;

// Binary units first so that formatting prefers them.
constexpr unit_factor units[] = {
    {"TiB", ki* ki* ki* ki}, {"GiB", ki* ki* ki}, {"MiB", ki* ki}, {"KiB", ki}, {"TB", k* k* k* k},
    {"GB", k* k* k},         {"MB", k* k},        {"KB", k},       {"B", 1}};

} // namespace

caf::expected<uint64_t> parse_byte_size(std::string_view text) {
  auto parsed = parse_scaled_number(text, units, true, std::numeric_limits<uint64_t>::max());
  if (!parsed.problem.empty())
    return make_error(ec::invalid_argument, "invalid size '" + std::string{text} +
                                                "': " + std::string{parsed.problem} +
                                                " (expected bytes or e.g. 512KiB, 256MiB, 1GB)");
  return parsed.value;
}

std::string format_byte_size(uint64_t bytes) {
  if (bytes == 0)
    return "0";
  return format_scaled_number(bytes, units, "");
}

} // namespace bulkd
