#include "actors/key_backup/kv_caller.hpp"

#include "actors/backoff.hpp"
#include "clients/error.hpp"
#include "clients/identity/challenge.hpp"
#include "clients/keyvault/retry_after.hpp"
#include "clients/keyvault/service_error.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace bulkd {

struct kv_caller::pending {
  http_request req;
  done_fn done;
  uint32_t sends = 0;        // requests sent so far, counted against retry.max_attempts
  uint32_t auth_retries = 0; // sends again after a 401
  bool had_token = false;
  bool force_token = false;
};

bool is_loopback_vault_host(std::string_view host) {
  auto ends_with = [&](std::string_view suffix) {
    return host.size() >= suffix.size() &&
           host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0 ||
         ends_with(".localhost");
}

kv_caller::kv_caller(caf::event_based_actor* self, kv_env env, kv_auth auth)
    : self_(self), env_(std::move(env)), auth_(std::move(auth)) {}

void kv_caller::call(http_request req, done_fn done) {
  auto p = std::make_shared<pending>();
  p->req = std::move(req);
  p->req.tls = env_.tls;
  p->req.timeout = env_.timeout;
  p->done = std::move(done);
  attempt(std::move(p));
}

void kv_caller::on_timer(uint64_t id) {
  auto i = timers_.find(id);
  if (i == timers_.end())
    return;
  auto fn = std::move(i->second);
  timers_.erase(i);
  fn();
}

void kv_caller::attempt(pending_ptr p) {
  if (auth_.scope.empty()) {
    send(std::move(p), nullptr);
    return;
  }
  bool force = p->force_token;
  p->force_token = false;
  self_->request(env_.tokens, caf::infinite, token_atom::value, auth_.scope, auth_.tenant, force)
      .then([this, p](identity::token& t) { send(p, &t); },
            [this, p](caf::error& err) {
              // A token endpoint that is overloaded or unreachable may recover; a refusal won't.
              bool transient = err.category() == error_category() &&
                               (err.code() == static_cast<uint8_t>(ec::overloaded) ||
                                err.code() == static_cast<uint8_t>(ec::timeout));
              on_failure(p, std::move(err), transient);
            });
}

void kv_caller::send(pending_ptr p, const identity::token* token) {
  auto req = p->req;
  p->had_token = token != nullptr;
  if (token != nullptr)
    identity::authorize(req, *token);
  ++p->sends;
  self_->request(env_.pool, caf::infinite, http_atom::value, std::move(req))
      .then([this, p](http_response& resp) { on_response(p, std::move(resp)); },
            [this, p](caf::error& err) {
              bool transient = err.category() == error_category() &&
                               (err.code() == static_cast<uint8_t>(ec::connection_failed) ||
                                err.code() == static_cast<uint8_t>(ec::timeout) ||
                                err.code() == static_cast<uint8_t>(ec::overloaded));
              on_failure(p, std::move(err), transient);
            });
}

void kv_caller::on_response(pending_ptr p, http_response resp) {
  if (resp.status == 401) {
    auto challenge = identity::challenge_of(resp);
    if (!challenge || p->auth_retries >= 2) {
      p->done(std::move(resp));
      return;
    }
    if (auto err = identity::verify_challenge_scope(*challenge, env_.vault.base.host)) {
      if (!is_loopback_vault_host(env_.vault.base.host)) {
        p->done(std::move(err));
        return;
      }
    }
    ++p->auth_retries;
    if (challenge->scope != auth_.scope || challenge->tenant != auth_.tenant) {
      if (auth_.scope.empty())
        spdlog::debug("vault {} asks for tokens of scope {} (tenant {})", env_.vault.base.host,
                      challenge->scope, challenge->tenant);
      auth_ = {challenge->scope, challenge->tenant};
    } else {
      p->force_token = p->had_token;
    }
    --p->sends; // learning the challenge is not a retry
    attempt(std::move(p));
    return;
  }
  if (!keyvault::is_retryable_status(resp.status) || p->sends >= env_.retry.max_attempts) {
    p->done(std::move(resp));
    return;
  }
  std::chrono::milliseconds delay;
  if (resp.status == 429 || resp.status == 503) {
    if (resp.status == 429)
      ++stats_.throttles;
    delay = keyvault::retry_delay(resp.headers, static_cast<int>(p->sends),
                                  std::chrono::system_clock::now());
  } else {
    backoff_policy policy{env_.retry.initial_backoff, env_.retry.max_backoff};
    delay = std::chrono::duration_cast<std::chrono::milliseconds>(
        backoff_delay(policy, p->sends - 1, {}));
  }
  later(std::move(p), delay);
}

void kv_caller::on_failure(pending_ptr p, caf::error err, bool transient) {
  if (!transient || p->sends >= env_.retry.max_attempts) {
    p->done(std::move(err));
    return;
  }
  backoff_policy policy{env_.retry.initial_backoff, env_.retry.max_backoff};
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
      backoff_delay(policy, p->sends == 0 ? 0 : p->sends - 1, {}));
  if (p->sends == 0)
    ++p->sends; // a token failure counts as an attempt too, so this ends
  later(std::move(p), delay);
}

void kv_caller::later(pending_ptr p, std::chrono::milliseconds delay) {
  ++stats_.retries;
  auto id = next_timer_++;
  timers_.emplace(id, [this, p] { attempt(p); });
  self_->delayed_send(self_, delay, kv_retry_atom::value, id);
}

} // namespace bulkd
