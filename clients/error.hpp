#pragma once

// bulkd's error codes. Errors are values: functions return caf::expected<T> or caf::error built with
// make_error(ec, "what happened"). Exceptions from libraries are converted at the boundary.

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <string>

namespace bulkd {

enum class ec : uint8_t {
  unspecified = 1,
  invalid_argument,   // bad input from the user: a spec, a flag, a file
  parse_error,        // a body or file that does not parse
  io_error,           // reading or writing a local file failed
  connection_failed,  // could not connect, or the connection was reset
  timeout,            // a request or operation ran out of time
  overloaded,         // a bounded queue is full; try again later
  http_error,         // the server answered with an error status
  tls_error,          // certificate or handshake problem
  unauthorized,       // authentication was refused
  not_found,
  conflict,
  too_many_restarts,  // a supervisor gave up on a child
  worker_failed,      // a child failed; the context holds the reason
  not_implemented,
  shutting_down,
};

/// The category atom under which bulkd errors travel in caf::error.
caf::atom_value error_category();

const char* to_string(ec code);

caf::error make_error(ec code, std::string message = {});

/// Renders any caf::error, bulkd's own as "category: message", others through CAF.
std::string render(const caf::error& err);

} // namespace bulkd
