#pragma once

// The pure part of the http sink: the POST of a batch and what an answer means.
//
// Request: POST to the spec's url with the body a JSON array of the batch's documents (in feed
// order, the compact texts as they are), `Content-Type: application/json`, the spec's headers,
// and for receivers that de-duplicate (a retried POST may have been processed already):
//   x-bulkd-job: <job>   x-bulkd-range: <range id>   x-bulkd-sequence: <sequence>
//   x-bulkd-count: <documents>
// (range, sequence) names a batch; a replay of a batch carries the same pair.
//
// Answers, explicitly:
//   2xx                          ack
//   408, 429, 5xx                retry, after Retry-After when the answer has one (delta
//                                seconds or an HTTP date; capped at max_retry_after), else after
//                                the retry policy's backoff
//   transport: connection_failed, timeout, overloaded (the pool's queue)      retry
//   every other status (other 4xx, 3xx: redirects are not followed, 1xx)   fail at once
//   every other error (tls_error, invalid_argument, ...)                       fail at once
// Secrets: header values are secrets. They appear in no error text; a body excerpt in an error
// has every secret value masked, in case the receiver echoes the request.

#include "clients/http_headers.hpp"
#include "clients/http_request.hpp"
#include "clients/http_response.hpp"
#include "jobs/change_feed/change_batch.hpp"
#include "jobs/change_feed_spec.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

enum class sink_verdict { ack, retry, fail };

const char* to_string(sink_verdict v);

/// The longest wait a Retry-After can ask for; longer ones are cut to this.
inline constexpr std::chrono::milliseconds max_retry_after = std::chrono::minutes{15};

struct http_sink_decision {
  sink_verdict verdict = sink_verdict::fail;
  std::optional<std::chrono::milliseconds> retry_after; // retry only: the server's wish
};

/// The request every batch starts from. ec::invalid_argument for a bad url, a header bulkd
/// sets itself (Content-Type, Content-Length, Transfer-Encoding, Host, Connection, x-bulkd-*),
/// or a header value with CR, LF or NUL (the error names the header, never the value).
caf::expected<http_request> http_sink_request_template(const http_sink& spec);

/// The template with the batch: the JSON array body and the x-bulkd-* headers.
http_request http_sink_request(const http_request& tmpl, const change_batch& batch);

/// ack, retry or fail for a status, as in the table above.
sink_verdict classify_http_sink_status(int status);

/// The status's verdict and, for a retry, the answer's Retry-After.
http_sink_decision classify_http_sink_response(const http_response& res,
                                               std::chrono::system_clock::time_point now);

/// retry for connection_failed, timeout and overloaded; fail for anything else.
sink_verdict classify_http_sink_error(const caf::error& err);

/// Retry-After as a delay (a date in the past is 0), capped at max_retry_after; nullopt when
/// absent or malformed.
std::optional<std::chrono::milliseconds>
http_sink_retry_after(const http_headers& headers, std::chrono::system_clock::time_point now);

/// The values of the spec's headers (non-empty ones), to be masked in texts.
std::vector<std::string> http_sink_secrets(const http_sink& spec);

/// At most `limit` bytes of a body for an error message: control characters become spaces,
/// every secret value becomes ***, and a cut body ends with "...".
std::string body_excerpt(std::string_view body, const std::vector<std::string>& secrets,
                         size_t limit = 200);

} // namespace bulkd
