#pragma once

// Error responses (status >= 400): the JSON body's code and message with the headers that
// decide what to do next (substatus, retry-after, charge, activity id).

#include "clients/cosmos/response_meta.hpp"
#include "clients/http_response.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <string>

namespace bulkd::cosmos {

struct service_error {
  response_meta meta;
  /// The body's "code", e.g. "NotFound"; empty when absent.
  std::string code;
  /// The body's "message". A body that is not JSON, or whose fields have other types, still
  /// gives an error: its message then says so and quotes the start of the body.
  std::string message;

  int status() const { return meta.status; }
  int substatus() const { return meta.substatus; }
};

/// ec::invalid_argument for a status below 400. A header that does not parse is noted at the
/// end of the message (and left at its default) rather than hiding the error.
caf::expected<service_error> parse_service_error(const http_response& response);

/// "HTTP 404/1002 NotFound: <message> (activity id <id>)" as a caf::error: ec::not_found (404),
/// ec::conflict (409, 412), ec::unauthorized (401, 403), ec::timeout (408), ec::overloaded (429),
/// else ec::http_error.
caf::error to_error(const service_error& err);

} // namespace bulkd::cosmos
