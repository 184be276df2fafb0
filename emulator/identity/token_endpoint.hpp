#pragma once

// POST /{tenant}/oauth2/v2.0/token without the HTTP: parses the form body, authenticates the
// client (secret or certificate assertion) against the registry and issues a token, or answers
// with AAD's error JSON and status.

#include "emulator/identity/aad_error.hpp"
#include "emulator/identity/client_registry.hpp"
#include "emulator/identity/token_issuer.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bulkd::emulator::identity {

struct token_endpoint_response {
  int status = 200;
  nlohmann::json body;
};

class token_endpoint {
public:
  /// Both must outlive the endpoint.
  token_endpoint(const client_registry& clients, const token_issuer& issuer)
      : clients_(&clients), issuer_(&issuer) {}

  /// `endpoint_urls`: what a client assertion's aud may be (the token URL as clients reach it);
  /// `context`: ids and the current time for the answer.
  token_endpoint_response handle(std::string_view tenant, std::string_view body,
                                 const std::vector<std::string>& endpoint_urls,
                                 const aad_error_context& context) const;

private:
  const client_registry* clients_;
  const token_issuer* issuer_;
};

} // namespace bulkd::emulator::identity
