#include "clients/cosmos/error_classification.hpp"

#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/service_error.hpp"

namespace bulkd::cosmos {

namespace {

using std::chrono::milliseconds;

retry_decision decide(retry_action action, int status, int substatus, std::string_view what,
                      milliseconds delay = milliseconds{0}) {
  auto reason = std::to_string(status);
  if (substatus != 0)
    reason += "/" + std::to_string(substatus);
  reason += ": ";
  reason += what;
  return {action, delay, std::move(reason)};
}

} // namespace

const char* to_string(retry_action action) {
  switch (action) {
  case retry_action::none:
    return "none";
  case retry_action::fail:
    return "fail";
  case retry_action::retry:
    return "retry";
  case retry_action::refresh_routing:
    return "refresh_routing";
  case retry_action::refresh_container:
    return "refresh_container";
  case retry_action::refresh_account:
    return "refresh_account";
  case retry_action::rebatch:
    return "rebatch";
  }
  return "?";
}

retry_decision classify(int status, int substatus, std::optional<milliseconds> retry_after) {
  using enum retry_action;
  auto server_or = [&](milliseconds fallback) { return retry_after ? *retry_after : fallback; };
  if (status < 400)
    return decide(none, status, substatus, "not an error");
  switch (status) {
  case 400:
    if (substatus == 1001)
      return decide(fail, status, substatus,
                    "partition key mismatch (the header's key differs from the document's)");
    return decide(fail, status, substatus, "bad request");
  case 401:
    return decide(fail, status, substatus, "unauthorized (wrong key, token or clock)");
  case 403:
    if (substatus == 3)
      return decide(refresh_account, status, substatus, "write forbidden in this region");
    if (substatus == 1008)
      return decide(refresh_account, status, substatus, "database account not found in region");
    return decide(fail, status, substatus, "forbidden");
  case 404:
    if (substatus == 1002)
      return decide(retry, status, substatus, "read session not available", server_or({}));
    return decide(fail, status, substatus, "not found");
  case 408:
    return decide(retry, status, substatus, "request timeout", server_or(transient_delay));
  case 409:
    return decide(fail, status, substatus, "conflict (the id exists)");
  case 410:
    switch (substatus) {
    case 1000:
      return decide(refresh_container, status, substatus, "name cache is stale");
    case 1002:
      return decide(refresh_routing, status, substatus, "partition key range gone (split)");
    case 1007:
      return decide(refresh_routing, status, substatus, "completing split");
    case 1008:
      return decide(retry, status, substatus, "completing partition migration",
                    server_or(transient_delay));
    default:
      return decide(refresh_routing, status, substatus, "gone");
    }
  case 412:
    return decide(fail, status, substatus, "precondition failed (etag or patch condition)");
  case 413:
    if (substatus == 3402)
      return decide(rebatch, status, substatus, "batch response too large");
    return decide(fail, status, substatus, "entity too large");
  case 424:
    return decide(fail, status, substatus,
                  "failed dependency (another operation of the batch failed)");
  case 429:
    if (substatus == 3092)
      return decide(retry, status, substatus, "system resource unavailable",
                    server_or(transient_delay));
    return decide(retry, status, substatus, "throttled (request rate too large)",
                  server_or(default_throttle_delay));
  case 449:
    return decide(retry, status, substatus, "retry with (concurrent write in the service)",
                  server_or(retry_with_delay));
  case 500:
    return decide(retry, status, substatus, "internal server error", server_or(transient_delay));
  case 502:
    return decide(retry, status, substatus, "bad gateway", server_or(transient_delay));
  case 503:
    return decide(retry, status, substatus, "service unavailable", server_or(transient_delay));
  case 504:
    return decide(retry, status, substatus, "gateway timeout", server_or(transient_delay));
  default:
    return decide(fail, status, substatus, "HTTP error");
  }
}

retry_decision classify(const service_error& err) {
  return classify(err.status(), err.substatus(), err.meta.retry_after);
}

retry_decision classify(const operation_result& result) {
  return classify(result.status, result.substatus, result.retry_after);
}

} // namespace bulkd::cosmos
