#pragma once

// The Key Vault keys REST API (data plane) as httplib routes:
//
//   POST   /keys/{name}/create          PUT    /keys/{name}               (import)
//   GET    /keys/{name}[/]              GET    /keys/{name}/{version}
//   PATCH  /keys/{name}/{version}       PATCH  /keys/{name}/              (latest)
//   GET    /keys                        GET    /keys/{name}/versions      (maxresults, $skiptoken)
//   DELETE /keys/{name}                 POST   /keys/{name}/backup        POST /keys/restore
//   GET    /deletedkeys                 GET    /deletedkeys/{name}
//   POST   /deletedkeys/{name}/recover  DELETE /deletedkeys/{name}        (purge, 204)
//
// Every request first needs "Authorization: Bearer <token>" with a token of the emulator's
// token_issuer for the vault's tenant and resource; otherwise the answer is 401 with
//   WWW-Authenticate: Bearer authorization="<authority>/<tenant>", resource="<resource>"
// decided before the body is read (handlers for bodies take httplib's ContentReader; a refused
// body is drained unparsed so the connection stays usable). Then the api-version query parameter
// (7.0 ... 7.6, their -preview forms, 2025-07-01) is checked. Answers and errors have the
// service's JSON shapes: {"error": {"code", "message"}} with KeyNotFound, Conflict, BadParameter,
// Unauthorized, Forbidden, Throttled, "Malformed backup blob".
//
// The routes use no pre-routing handler, so they can share a server with other routes.

#include "emulator/identity/client_registry.hpp"
#include "emulator/identity/token_issuer.hpp"
#include "emulator/keyvault/key_store.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace httplib {
class Server;
struct Request;
} // namespace httplib

namespace bulkd::emulator::keyvault {

struct keyvault_context {
  /// Both must outlive the server the routes are registered on.
  key_store* store = nullptr;
  const identity::token_issuer* issuer = nullptr;

  /// Scheme, host and port clients reach the vault at, e.g. "https://127.0.0.1:8443"; the base
  /// of kids, recoveryIds and nextLinks.
  std::string vault_url;

  /// The 401 challenge: authorization="<authority>/<tenant>", resource="<resource>".
  std::string authority;
  std::string tenant{identity::dev_tenant};
  std::string resource = "https://vault.azure.net";

  /// Token audiences accepted besides `resource`.
  std::vector<std::string> extra_audiences;

  /// Soft-delete retention: recoverableDays and scheduledPurgeDate = deletedDate + days.
  int64_t recoverable_days = 90;

  /// Unix seconds; the system clock when empty.
  std::function<int64_t()> clock;

  /// Fault injection after authentication: return 429 (Throttled) or 503 to refuse the request
  /// with that status and Key Vault's error body, 0 to serve it.
  std::function<int(const httplib::Request&)> fault;

  /// On those 429s: when > 0, "Retry-After" (seconds, rounded up) and "x-ms-retry-after-ms";
  /// when 0, no retry hint at all (clients fall back to their own backoff, and the Azure SDKs
  /// for JS do not retry such a 429).
  int64_t throttle_retry_after_ms = 0;

  int64_t now() const;
};

/// Registers the routes above; `context` must outlive `server`.
void register_keyvault_routes(httplib::Server& server, keyvault_context& context);

} // namespace bulkd::emulator::keyvault
