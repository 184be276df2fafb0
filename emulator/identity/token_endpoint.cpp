#include "emulator/identity/token_endpoint.hpp"

#include "clients/error.hpp"
#include "emulator/identity/client_assertion.hpp"
#include "emulator/identity/token_request.hpp"

namespace bulkd::emulator::identity {

namespace {

aad_error from_assertion(const assertion_check& check) {
  switch (check.fault) {
  case jwt_fault::malformed:
    return aad_errors::malformed_assertion(check.detail);
  case jwt_fault::unknown_key:
    return aad_errors::assertion_signature(check.thumbprint, "The key was not found.");
  case jwt_fault::bad_signature:
    return aad_errors::assertion_signature(check.thumbprint, check.detail);
  case jwt_fault::expired:
  case jwt_fault::not_yet_valid:
    return aad_errors::assertion_time_range(check.detail);
  case jwt_fault::wrong_audience:
    return aad_errors::assertion_audience(check.detail);
  case jwt_fault::wrong_issuer:
    return aad_errors::assertion_issuer(check.detail);
  case jwt_fault::none:
    break;
  }
  return aad_errors::malformed_assertion(check.detail);
}

} // namespace

token_endpoint_response token_endpoint::handle(std::string_view tenant, std::string_view body,
                                               const std::vector<std::string>& endpoint_urls,
                                               const aad_error_context& context) const {
  auto fail = [&](const aad_error& err) {
    return token_endpoint_response{err.status, to_json(err, context)};
  };
  auto parsed = parse_token_request(body);
  if (auto err = std::get_if<aad_error>(&parsed))
    return fail(*err);
  auto& request = std::get<token_request>(parsed);
  if (!clients_->has_tenant(tenant))
    return fail(aad_errors::tenant_not_found(tenant));
  auto client = clients_->find(tenant, request.client_id);
  if (client == nullptr)
    return fail(aad_errors::client_not_found(request.client_id, tenant));
  if (request.client_secret) {
    if (!client_registry::secret_matches(*client, *request.client_secret))
      return fail(aad_errors::invalid_secret(request.client_id));
  } else {
    auto check = verify_client_assertion(*request.client_assertion, request.client_id,
                                         client->certificates, endpoint_urls, context.now);
    if (!check)
      return fail(from_assertion(check));
  }
  // The token names the tenant and client as registered (canonical case).
  auto token = issuer_->issue(client->tenant, client->client_id, request.audience, context.now);
  if (!token)
    return fail(aad_errors::malformed_request(render(token.error())));
  return {200, token_response_json(*token)};
}

} // namespace bulkd::emulator::identity
