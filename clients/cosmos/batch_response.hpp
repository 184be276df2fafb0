#pragma once

// The answer to a batch or bulk request: one result per operation, in request order.

#include "clients/cosmos/response_meta.hpp"
#include "clients/http_response.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace bulkd::cosmos {

struct operation_result {
  int status = 0;
  int substatus = 0;
  double request_charge = 0;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string etag;
  /// The resource's JSON text (compact, properties in the order sent); empty when the result
  /// has none (deletes, failures, minimal).
  std::string resource_body;

  bool succeeded() const { return status >= 200 && status < 300; }
};

struct batch_response {
  response_meta meta;
  std::vector<operation_result> results;
};

/// Parses a 200 or 207 answer whose body is a JSON array of exactly `operations` results.
/// Other statuses are failures of the whole request: parse them with parse_service_error.
/// ec::parse_error names the result and field that is wrong.
caf::expected<batch_response> parse_batch_response(const http_response& response,
                                                   size_t operations);

} // namespace bulkd::cosmos
