#pragma once

// One page of a document feed (change feed or ReadFeed): the documents as JSON text, the
// continuation (etag for the change feed, x-ms-continuation for ReadFeed) and the session LSN
// the change-feed lag is computed from.

#include "clients/http_response.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bulkd::cosmos {

struct feed_page {
  /// 304: nothing new since If-None-Match; documents is empty, etag unchanged.
  bool not_modified = false;
  /// Each document's JSON text (compact, properties in the order the server sent), in feed
  /// order.
  std::vector<std::string> documents;
  /// The etag header: the change feed's continuation (If-None-Match of the next read).
  std::string etag;
  /// x-ms-continuation (ReadFeed paging; unused by the change feed).
  std::string continuation;
  std::string session_token;
  /// The global LSN of the session token, when the token has a single range.
  std::optional<int64_t> session_lsn;
  /// The "_lsn" of the first document, when it has one.
  std::optional<int64_t> first_lsn;
  double request_charge = 0;
  std::string activity_id;
};

/// Parses a 200 or 304 answer. The body must be an object with a "Documents" array (objects,
/// or any values for SELECT VALUE queries) and, when present, a "_count" equal to its size.
/// ec::parse_error names the problem.
caf::expected<feed_page> parse_feed_page(const http_response& response);

/// The change feed estimator's lag for a page read with max item count 1: session LSN minus
/// the LSN before the first document, 0 when there is none; nullopt without a session LSN.
std::optional<int64_t> estimated_lag(const feed_page& page);

} // namespace bulkd::cosmos
