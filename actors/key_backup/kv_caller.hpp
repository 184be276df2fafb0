#pragma once

// Sends Key Vault requests for one actor (a job or a worker) through http_pool, with what every
// call needs:
// - authorization: the scope and tenant come from the vault's 401 challenge (WWW-Authenticate).
//   Until one was seen, requests go without a token; the first 401 teaches them and the request
//   is sent again with a token from token_cache. A 401 to a request that had a token forces one
//   new token and one more try.
// - retries, up to retry.max_attempts sends: 429 and 503 wait what the service asks
//   (retry-after-ms, x-ms-retry-after-ms, Retry-After) or else 1, 2, 4, 8, 16 s
//   (clients/keyvault/retry_after.hpp); 408, 500, 502, 504 and transport failures (connection
//   reset, timeout, the pool being overloaded) wait retry.initial_backoff * 2^n with full jitter,
//   capped at retry.max_backoff.
// The answer is the final response (any status; the caller parses it with key_responses.hpp) or
// the transport error of the last attempt.
//
// The owning actor must route (kv_retry_atom, uint64_t) to on_timer().

#include "actors/http_pool.hpp"
#include "actors/token_cache_actor.hpp"
#include "clients/http_request.hpp"
#include "clients/http_response.hpp"
#include "clients/keyvault/vault.hpp"
#include "clients/tls_options.hpp"
#include "jobs/job_common.hpp"

#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace bulkd {

using kv_retry_atom = caf::atom_constant<caf::atom("kv_retry")>;

/// What a vault's challenge said: the scope and tenant tokens are requested for. Empty scope:
/// not learned yet.
struct kv_auth {
  std::string scope;
  std::string tenant;
};

struct kv_env {
  keyvault::vault vault;
  tls_options tls;
  http_pool_actor pool;
  token_cache_actor tokens;
  retry_policy retry;
  std::chrono::milliseconds timeout = std::chrono::seconds{60};
};

struct kv_call_stats {
  uint64_t retries = 0;   // requests sent again
  uint64_t throttles = 0; // 429 answers
};

/// Whether a host is loopback (127.0.0.0/8, ::1, localhost, *.localhost): a vault there is a
/// local emulator whose challenge names the real service's resource, so the scope is not
/// required to match its host.
bool is_loopback_vault_host(std::string_view host);

class kv_caller {
public:
  using done_fn = std::function<void(caf::expected<http_response>)>;

  kv_caller(caf::event_based_actor* self, kv_env env, kv_auth auth = {});

  /// Sends `req` (built by key_requests.hpp) and calls `done` once with the outcome.
  void call(http_request req, done_fn done);

  void on_timer(uint64_t id);

  const kv_auth& auth() const { return auth_; }
  const kv_env& env() const { return env_; }
  const kv_call_stats& stats() const { return stats_; }

private:
  struct pending;
  using pending_ptr = std::shared_ptr<pending>;

  void attempt(pending_ptr p);
  void send(pending_ptr p, const identity::token* token);
  void on_response(pending_ptr p, http_response resp);
  void on_failure(pending_ptr p, caf::error err, bool transient);
  void later(pending_ptr p, std::chrono::milliseconds delay);

  caf::event_based_actor* self_;
  kv_env env_;
  kv_auth auth_;
  kv_call_stats stats_;
  uint64_t next_timer_ = 0;
  std::map<uint64_t, std::function<void()>> timers_;
};

} // namespace bulkd
