#pragma once

// token_cache: AAD tokens of one credential, shared by every actor that talks to the same vault.
// Tokens are kept per (scope, tenant) and fetched through http_pool with the credential's token
// request (clients/identity). Concurrent asks for the same (scope, tenant) share one token request
// in flight. A cached token is answered at once; once it needs a refresh (token.hpp: the last 5
// minutes or the second half of its lifetime) a new one is fetched in the background while the
// old one is still handed out until it expires. Errors are answers (caf::error), never crashes:
// every waiting asker gets the error of the failed fetch, and the next ask tries again.
//
//   (token_atom, scope, tenant, force) -> identity::token
//     scope "https://vault.azure.net/.default"; tenant "" = the credential's own; force = the
//     service refused the cached token (401): fetch a new one even if it looks valid.

#include "actors/http_pool.hpp"
#include "clients/identity/credential.hpp"
#include "clients/identity/token.hpp"
#include "clients/tls_options.hpp"

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace bulkd {

using token_atom = caf::atom_constant<caf::atom("aad_token")>;

using token_cache_actor = caf::typed_actor<
    caf::replies_to<token_atom, std::string, std::string, bool>::with<identity::token>>;

struct token_cache_config {
  identity::credential_ptr credential;
  http_pool_actor pool;
  /// TLS settings of token requests (the emulator's self-signed certificate, a private CA).
  tls_options tls;
  std::chrono::milliseconds timeout = std::chrono::seconds{30};
  /// The wall clock in whole seconds; injectable for tests.
  std::function<identity::seconds_clock_time()> clock;
};

token_cache_actor spawn_token_cache(caf::actor_system& sys, token_cache_config config);

} // namespace bulkd
