#pragma once

// The file lease store's file, <state_dir>/leases/<job>.json: every lease of one job (one
// instance owns them all) and the counter their concurrency tokens are drawn from.
//
// {"version":1,"etag_counter":12,"leases":[{"id":"orders-feed.shop.orders..0",...,"_etag":"12"}]}
//
// Each lease is the object of lease.hpp, with "_etag" the counter value of its last write.

#include "jobs/change_feed/lease.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

struct lease_file {
  uint64_t etag_counter = 0; // the last token handed out; the next write uses +1
  std::vector<lease> leases;

  friend bool operator==(const lease_file&, const lease_file&) = default;
};

/// The format version save_lease_file writes; load refuses others.
inline constexpr int lease_file_version = 1;

/// <state_dir>/leases/<job>.json
std::filesystem::path lease_file_path(const std::filesystem::path& state_dir, std::string_view job);

std::string to_json(const lease_file& file);

/// ec::parse_error naming what is wrong ("leases[2]: lease: \"Owner\" ..."); duplicate lease
/// tokens are an error too.
caf::expected<lease_file> parse_lease_file(std::string_view text);

/// A missing file is an empty lease_file. Errors name the file: "leases file /x/y.json: ...".
caf::expected<lease_file> load_lease_file(const std::filesystem::path& file);

/// Writes atomically (temp file, fsync, rename), mode 0600.
caf::error save_lease_file(const std::filesystem::path& file, const lease_file& content);

} // namespace bulkd
