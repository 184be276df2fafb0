#include "clients/identity/credential.hpp"

#include "clients/error.hpp"
#include "clients/identity/token_response.hpp"
#include "clients/url.hpp"

namespace bulkd::identity {

caf::expected<token> credential::parse_token_response(const http_request& sent,
                                                      const http_response& resp,
                                                      seconds_clock_time now) const {
  std::string who{kind()};
  who += " credential";
  return identity::parse_token_response(who, sent, resp, now);
}

http_request client_credentials_request(std::string_view endpoint_url, std::string body) {
  http_request req;
  req.method = "POST";
  // The endpoint was built from a normalized authority host, so it parses.
  [[maybe_unused]] auto err = set_url(req, endpoint_url);
  req.headers.set("Content-Type", "application/x-www-form-urlencoded");
  req.headers.set("Accept", "application/json");
  req.body = std::move(body);
  return req;
}

caf::error check_scope(std::string_view scope) {
  if (scope.empty())
    return make_error(ec::invalid_argument, "empty token scope");
  if (!parse_url(scope))
    return make_error(ec::invalid_argument,
                      "token scope \"" + std::string{scope} + "\" is not an http(s) URL");
  return caf::none;
}

} // namespace bulkd::identity
