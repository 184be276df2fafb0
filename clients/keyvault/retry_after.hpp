#pragma once

// How long to wait before retrying a throttled (429) or unavailable (503) request: the server's
// Retry-After (delta seconds or an HTTP date, RFC 9110 §10.2.3) or retry-after-ms /
// x-ms-retry-after-ms when present, else Key Vault's documented ladder 1, 2, 4, 8, 16 s (reference
// §3). Key Vault's 429s have been seen without Retry-After, so the ladder is the common case.

#include "clients/http_headers.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace bulkd::keyvault {

/// The ladder's last step; later attempts wait this long too.
inline constexpr std::chrono::seconds max_backoff_step{16};

/// 1 s for attempt 1, then 2, 4, 8, 16, 16, ... s.
std::chrono::milliseconds backoff_step(int attempt);

/// The Retry-After value: "120" or "Fri, 31 Dec 1999 23:59:59 GMT" (a past date is 0).
/// ec::parse_error on anything else.
caf::expected<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

/// The server's wish from the headers: retry-after-ms, x-ms-retry-after-ms, then Retry-After.
/// nullopt when none is present or every present one is malformed.
std::optional<std::chrono::milliseconds>
server_retry_delay(const http_headers& headers, std::chrono::system_clock::time_point now);

/// server_retry_delay, else backoff_step(attempt). `attempt` counts from 1.
std::chrono::milliseconds retry_delay(const http_headers& headers, int attempt,
                                      std::chrono::system_clock::time_point now);

} // namespace bulkd::keyvault
