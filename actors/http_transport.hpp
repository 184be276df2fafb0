#pragma once

// The blocking half of http_pool: performs requests with cpp-httplib and keeps one keep-alive
// connection per origin and TLS settings. Used by exactly one thread (an http_worker); only
// cancel() may be called from other threads.

#include "clients/http_request.hpp"
#include "clients/http_response.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace bulkd {

struct http_transport_options {
  /// Upper bound for connecting; the request's timeout applies when it is smaller.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds{10};
  /// Kept-alive connections (distinct origin + TLS settings); the least recently used goes first.
  size_t max_connections = 16;
};

class http_transport {
public:
  explicit http_transport(http_transport_options options = {});
  ~http_transport();
  http_transport(const http_transport&) = delete;
  http_transport& operator=(const http_transport&) = delete;

  /// Performs one request. Any HTTP status is a response; errors are transport failures:
  /// ec::connection_failed, ec::timeout, ec::tls_error, ec::invalid_argument (bad request),
  /// ec::shutting_down (after cancel()).
  caf::expected<http_response> send(http_request req);

  /// Thread-safe. Aborts the request in progress and makes every later send() fail.
  void cancel();

  /// Blocks for `duration` or until cancel(); returns false when cancelled.
  bool pause(std::chrono::milliseconds duration);

  /// Thread-safe. TCP connections opened so far.
  uint64_t connections_opened() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace bulkd
