#pragma once

// Key Vault's error answers, {"error": {"code", "message", "innererror": {"code"}}} (reference
// §1.7), as a value the caller can inspect and as a bulkd error.

#include "clients/http_response.hpp"

#include <caf/error.hpp>

#include <string>

namespace bulkd::keyvault {

struct service_error {
  int status = 0;
  std::string code; // "KeyNotFound", "Throttled", "Malformed backup blob", ... may be empty
  std::string message;
  std::string inner_code; // innererror.code, e.g. "ForbiddenByRbac"; may be empty

  friend bool operator==(const service_error&, const service_error&) = default;
};

/// Reads an error answer. A body that is not the error JSON still yields a service_error: its code
/// is empty and its message says what the body was (the first 200 bytes, control characters
/// replaced).
service_error parse_service_error(const http_response& resp);

/// 401 → ec::unauthorized, 403 → ec::unauthorized, 404 → ec::not_found, 409 → ec::conflict,
/// 429 → ec::overloaded, anything else → ec::http_error; the message reads
/// "Key Vault answered 404 KeyNotFound: <message> [innererror <code>]".
caf::error to_error(const service_error& err);

/// to_error(parse_service_error(resp)).
caf::error response_error(const http_response& resp);

/// Worth retrying later: 408, 429, 500, 502, 503, 504.
bool is_retryable_status(int status);

} // namespace bulkd::keyvault
