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
  // The query is left out: some services put credentials there.
  auto path = std::string_view{req.target}.substr(0, req.target.find('?'));
  return req.method + " " + req.origin + std::string{path};
}

} // namespace bulkd
