#include "clients/error.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace bulkd {

caf::atom_value error_category() {
  return caf::atom("bulkd");
}

const char* to_string(ec code) {
  switch (code) {
    case ec::unspecified: return "unspecified";
    case ec::invalid_argument: return "invalid_argument";
    case ec::parse_error: return "parse_error";
    case ec::io_error: return "io_error";
    case ec::connection_failed: return "connection_failed";
    case ec::timeout: return "timeout";
    case ec::overloaded: return "overloaded";
    case ec::http_error: return "http_error";
    case ec::tls_error: return "tls_error";
    case ec::unauthorized: return "unauthorized";
    case ec::not_found: return "not_found";
    case ec::conflict: return "conflict";
    case ec::too_many_restarts: return "too_many_restarts";
    case ec::worker_failed: return "worker_failed";
    case ec::not_implemented: return "not_implemented";
    case ec::shutting_down: return "shutting_down";
  }
  return "unknown";
}

caf::error make_error(ec code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), error_category(),
                    caf::make_message(std::move(message))};
}

std::string render(const caf::error& err) {
  if (!err)
    return "no error";
  std::string context;
  if (err.context().match_elements<std::string>())
    context = err.context().get_as<std::string>(0);
  std::string head;
  if (err.category() == error_category())
    head = to_string(static_cast<ec>(err.code()));
  else if (err.category() == caf::atom("system"))
    head = caf::to_string(static_cast<caf::sec>(err.code()));
  else
    head = caf::to_string(err);
  if (context.empty())
    return head;
  return head + ": " + context;
}

} // namespace bulkd
