#pragma once

// The emulator's identity endpoints as httplib routes:
//
//   POST /{tenant}/oauth2/v2.0/token                       client credentials (token_endpoint)
//   GET  /metadata/identity/oauth2/token?resource=...      IMDS-style managed identity, needs the
//                                                          header "Metadata: true"
//   GET  /{tenant}/v2.0/.well-known/openid-configuration   what MSAL reads first
//   GET  /{tenant}/discovery/v2.0/keys                     the jwks_uri of that document
//   GET  /common/discovery/instance                        instance discovery, for MSAL builds
//                                                          that ask it of a custom authority
//
// Answers are JSON with AAD's / IMDS's shapes and statuses; unknown tenants get AAD's 400
// invalid_tenant (AADSTS90002) on the discovery documents too.

#include "emulator/identity/client_registry.hpp"
#include "emulator/identity/managed_identity.hpp"
#include "emulator/identity/token_issuer.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace httplib {
class Server;
} // namespace httplib

namespace bulkd::emulator::identity {

struct identity_context {
  /// Both must outlive the server the routes are registered on.
  const client_registry* clients = nullptr;
  const token_issuer* issuer = nullptr;

  /// Scheme, host and port of the identity endpoint as clients reach it (must be the issuer's
  /// authority); the base of error_uri and of the token URL a client assertion may name.
  std::string authority;

  /// The machine identity that /metadata/identity/oauth2/token hands out.
  managed_identity_config managed_identity;

  /// Unix seconds; the system clock when empty.
  std::function<int64_t()> clock;

  int64_t now() const;
};

/// Registers the routes above; `context` must outlive `server`.
void register_identity_routes(httplib::Server& server, identity_context& context);

} // namespace bulkd::emulator::identity
