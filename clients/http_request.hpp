#pragma once

// One HTTP request as it travels to http_pool: where, what, and how long it may take.

#include "clients/http_headers.hpp"
#include "clients/tls_options.hpp"

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace bulkd {

struct http_request {
  std::string method = "GET";
  /// "scheme://host[:port]", see parse_origin(); connections are kept alive per origin and TLS
  /// settings.
  std::string origin;
  /// Path and query, percent-encoded, starting with "/".
  std::string target = "/";
  http_headers headers;
  std::string body;
  /// Limits connecting, each read and write, and receiving the whole body.
  std::chrono::milliseconds timeout = std::chrono::seconds{30};
  tls_options tls;

  friend bool operator==(const http_request&, const http_request&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_request& x) {
  return f(caf::meta::type_name("http_request"), x.method, x.origin, x.target, x.headers, x.body,
           x.timeout, x.tls);
}

/// Sets origin and target of `req` from an absolute URL (ec::invalid_argument when malformed).
caf::error set_url(http_request& req, std::string_view url);

/// "METHOD origin/path" for messages: without query, headers and body (they may hold secrets).
std::string describe(const http_request& req);

} // namespace bulkd
