#pragma once

// The answer to an http_request. Any status is a response; error statuses are classified by the
// caller, not by the transport.

#include "clients/http_headers.hpp"

#include <caf/meta/type_name.hpp>

#include <chrono>
#include <string>

namespace bulkd {

struct http_response {
  int status = 0;
  http_headers headers;
  std::string body;
  /// From handing the request to the connection until the whole body was received.
  std::chrono::microseconds elapsed{0};

  friend bool operator==(const http_response&, const http_response&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_response& x) {
  return f(caf::meta::type_name("http_response"), x.status, x.headers, x.body, x.elapsed);
}

} // namespace bulkd
