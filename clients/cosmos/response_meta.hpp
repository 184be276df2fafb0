#pragma once

// The headers every Cosmos response carries that bulkd acts on: status, substatus, request
// charge, activity id, session token, etag, continuation, retry-after.

#include "clients/http_response.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace bulkd::cosmos {

struct response_meta {
  int status = 0;
  /// x-ms-substatus, 0 when absent.
  int substatus = 0;
  /// x-ms-request-charge in RU, 0 when absent.
  double request_charge = 0;
  std::string activity_id;
  std::string session_token;
  std::string etag;
  std::string continuation;
  /// x-ms-retry-after-ms, else Retry-After (seconds).
  std::optional<std::chrono::milliseconds> retry_after;
  /// x-ms-item-count.
  std::optional<int64_t> item_count;
};

/// ec::parse_error when a header bulkd acts on does not parse (the message names it).
caf::expected<response_meta> parse_response_meta(const http_response& response);

} // namespace bulkd::cosmos
