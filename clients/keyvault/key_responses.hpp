#pragma once

// Parsers of the answers to the requests in key_requests.hpp. Each checks the status first: an
// unexpected status becomes the service's error (service_error.hpp); a 200 whose body does not
// have the documented shape is ec::parse_error naming the offending field.

#include "clients/http_response.hpp"
#include "clients/keyvault/key_properties.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <optional>
#include <string>
#include <vector>

namespace bulkd::keyvault {

template <class Item>
struct page {
  std::vector<Item> items;
  /// Absolute URL of the next page; nullopt on the last page. A page may be empty and still have
  /// a next link: keep following until there is none.
  std::optional<std::string> next_link;
};

using key_page = page<key_properties>;
using deleted_key_page = page<deleted_key_properties>;

/// GET /keys and GET /keys/{name}/versions (and their next links).
caf::expected<key_page> parse_key_list(const http_response& resp);

/// GET /deletedkeys.
caf::expected<deleted_key_page> parse_deleted_key_list(const http_response& resp);

/// KeyBundle: get, restore, recover.
caf::expected<key_properties> parse_key(const http_response& resp);

/// DeletedKeyBundle: delete, get deleted.
caf::expected<deleted_key_properties> parse_deleted_key(const http_response& resp);

/// Backup: the blob, base64url-decoded.
caf::expected<std::string> parse_backup(const http_response& resp);

/// Purge: 204 (200 is taken too).
caf::error check_purged(const http_response& resp);

} // namespace bulkd::keyvault
