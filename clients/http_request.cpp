#include "clients/http_request.hpp"

#include "clients/url.hpp"

namespace bulkd {

caf::error set_url(http_request& req, std::string_view text) {
  auto parsed = parse_url(text);
  if (!parsed)
    return std::move(parsed.error());
  req.origin = parsed->origin();
  req.target = std::move(parsed->target);
  return caf::none;
}

std::string describe(const http_request& req) {
  return req.method + " " + req.origin + req.target;
}

} // namespace bulkd
