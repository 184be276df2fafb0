#pragma once

// Request paths like /dbs/db1/colls/c1/docs/doc1, taken apart into what the signature and the
// router need.

#include <caf/expected.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::cosmos {

struct resource_address {
  /// The type signed and routed: "" for the account (GET /), else the last collection segment
  /// ("dbs", "colls", "docs", "pkranges", "offers", ...).
  std::string resource_type;
  /// The link signed: the full link for a resource, the parent's for a feed; for RID-based
  /// paths (and offers) only the lowercased RID of the target, or of the parent for a feed.
  std::string resource_link;
  /// The URL-decoded segments, e.g. {"dbs", "db1", "colls", "c1"}.
  std::vector<std::string> segments;
  /// An odd number of segments addresses a feed (POST to create, GET to list).
  bool is_feed = false;
  /// False when the second segment is a database RID.
  bool name_based = true;

  /// The id after `type` in the path, e.g. id("colls") == "c1".
  std::optional<std::string> id(std::string_view type) const;
};

/// Parses a request path (a query string is ignored). Segments are URL-decoded; a trailing '/'
/// is allowed; the hierarchy of types is checked.
caf::expected<resource_address> parse_resource_path(std::string_view path);

/// The request path for a name-based link such as "dbs/db 1/colls/c1": a leading '/' and each
/// segment URL-encoded.
std::string request_path(std::string_view link);

} // namespace bulkd::cosmos
