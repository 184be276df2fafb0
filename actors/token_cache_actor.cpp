#include "actors/token_cache_actor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/error.hpp"

#include <caf/all.hpp>

#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace bulkd {

namespace {

struct token_entry {
  std::optional<identity::token> cached;
  bool fetching = false;
  std::vector<caf::typed_response_promise<identity::token>> waiting;
};

struct token_cache_state {
  token_cache_config config;
  std::map<std::pair<std::string, std::string>, token_entry> entries;
  static inline const char* name = "token_cache";
};

using token_cache_impl = token_cache_actor::stateful_pointer<token_cache_state>;

identity::seconds_clock_time now_of(const token_cache_config& cfg) {
  if (cfg.clock)
    return cfg.clock();
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

void settle(token_cache_impl self, const std::pair<std::string, std::string>& key,
            caf::expected<identity::token> result) {
  auto& entry = self->state.entries[key];
  entry.fetching = false;
  auto waiting = std::move(entry.waiting);
  entry.waiting.clear();
  if (result) {
    entry.cached = *result;
    for (auto& rp : waiting)
      rp.deliver(*result);
  } else {
    // A failed refresh keeps a still valid token for later asks; waiters get the error.
    for (auto& rp : waiting)
      rp.deliver(result.error());
  }
}

void fetch(token_cache_impl self, const std::pair<std::string, std::string>& key) {
  auto& entry = self->state.entries[key];
  if (entry.fetching)
    return;
  auto& cfg = self->state.config;
  identity::token_request_context ctx;
  ctx.scope = key.first;
  ctx.tenant = key.second;
  ctx.now = now_of(cfg);
  auto req = cfg.credential->token_request(ctx);
  if (!req) {
    settle(self, key, req.error());
    return;
  }
  req->tls = cfg.tls;
  req->timeout = cfg.timeout;
  entry.fetching = true;
  auto sent = *req;
  self->request(cfg.pool, caf::infinite, http_atom::value, std::move(*req))
      .then(
          [=](http_response& resp) {
            auto& c = self->state.config;
            settle(self, key, c.credential->parse_token_response(sent, resp, now_of(c)));
          },
          [=](caf::error& err) {
            settle(self, key,
                   make_error(ec::unauthorized, "token request of " +
                                                    self->state.config.credential->describe() +
                                                    " failed: " + render(err)));
          });
}

} // namespace

namespace {

// The configuration is a spawn argument rather than a lambda capture: CAF 0.17 dereferences a
// null argument tuple for actors spawned without arguments (UBSan: reference binding to null
// pointer in caf/detail/init_fun_factory.hpp).
token_cache_actor::behavior_type token_cache_behavior(token_cache_impl self,
                                                      token_cache_config config) {
  install_exception_handler(self);
  self->state.config = std::move(config);
  return {
      [=](token_atom, const std::string& scope, const std::string& tenant,
          bool force) -> caf::result<identity::token> {
        if (!self->state.config.credential)
          return make_error(ec::invalid_argument, "token cache without a credential");
        auto key = std::make_pair(scope, tenant);
        auto& entry = self->state.entries[key];
        auto now = now_of(self->state.config);
        if (force && entry.cached) {
          entry.cached.reset();
        } else if (entry.cached && !entry.cached->expired(now)) {
          if (entry.cached->needs_refresh(now))
            fetch(self, key);
          return *entry.cached;
        }
        auto rp = self->make_response_promise<identity::token>();
        self->state.entries[key].waiting.push_back(rp);
        fetch(self, key);
        return rp;
      },
  };
}

} // namespace

token_cache_actor spawn_token_cache(caf::actor_system& sys, token_cache_config config) {
  return sys.spawn(token_cache_behavior, std::move(config));
}

} // namespace bulkd
