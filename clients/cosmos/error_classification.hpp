#pragma once

// What to do about a failed request or batch operation: retry or not, what to refresh first, and
// the least delay (cosmos-wire.md §7.2, §6.5).

#include <chrono>
#include <optional>
#include <string>

namespace bulkd::cosmos {

struct service_error;
struct operation_result;

enum class retry_action {
  none,              // not an error
  fail,              // not retryable: report (dead-letter) it
  retry,             // send the same request again after the delay
  refresh_routing,   // re-read pkranges and re-route (split/merge), then retry
  refresh_container, // re-read the container (name cache stale), then retry
  refresh_account,   // re-read the account (region failover), then retry
  rebatch,           // send the operations again in smaller batches
};

const char* to_string(retry_action action);

struct retry_decision {
  retry_action action = retry_action::fail;
  /// The server's retry-after when it sent one, else the least delay for this status. Callers
  /// add their own backoff for repeated attempts.
  std::chrono::milliseconds delay{0};
  /// E.g. "429/3200: throttled (request rate too large)".
  std::string reason;

  bool retryable() const { return action != retry_action::fail && action != retry_action::none; }
};

/// Delay of a 429 without a retry-after header.
inline constexpr std::chrono::milliseconds default_throttle_delay{1000};
/// First delay of 449 RetryWith (.NET starts at 10 ms).
inline constexpr std::chrono::milliseconds retry_with_delay{10};
/// Least delay for timeouts and 5xx without a retry-after header.
inline constexpr std::chrono::milliseconds transient_delay{100};

/// Classifies a status and substatus (from a response or one batch operation's result).
retry_decision classify(int status, int substatus,
                        std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

/// A failed request, with its x-ms-retry-after-ms.
retry_decision classify(const service_error& err);

/// One operation of a bulk or batch response, with its retryAfterMilliseconds.
retry_decision classify(const operation_result& result);

} // namespace bulkd::cosmos
