#include "actors/key_backup/key_restore_job_actor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/error.hpp"
#include "clients/keyvault/key_requests.hpp"
#include "clients/keyvault/key_responses.hpp"
#include "clients/keyvault/service_error.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <deque>
#include <map>

namespace bulkd {

namespace {

namespace kb = key_backup;

// -- worker ---------------------------------------------------------------------------------------

struct restore_worker_state {
  std::unique_ptr<kv_caller> kv;
  caf::actor job;
  std::string key_name;
};

using restore_worker = caf::stateful_actor<restore_worker_state>;

void report(restore_worker* self, key_outcome out) {
  auto& st = self->state;
  out.name = st.key_name;
  out.retries = st.kv->stats().retries;
  out.throttles = st.kv->stats().throttles;
  self->send(st.job, std::move(out));
  self->quit();
}

void failed(restore_worker* self, std::string detail) {
  key_outcome out;
  out.kind = key_outcome::failed;
  out.detail = std::move(detail);
  report(self, std::move(out));
}

caf::behavior key_restore_worker(restore_worker* self, kv_env env, kv_auth auth,
                                 std::shared_ptr<const kb::backup_set> set, kb::manifest_key entry,
                                 std::shared_ptr<const kb::encryption_key> key, bool skip_existing,
                                 caf::actor job) {
  install_exception_handler(self);
  auto& st = self->state;
  st.kv = std::make_unique<kv_caller>(self, std::move(env), std::move(auth));
  st.job = std::move(job);
  st.key_name = entry.key.name;
  auto blob = kb::read_key_blob(*set, entry, key.get());
  auto req = blob ? keyvault::restore_key(st.kv->env().vault, *blob)
                  : caf::expected<http_request>{blob.error()};
  if (!req) {
    failed(self, render(req.error()));
    return {};
  }
  st.kv->call(std::move(*req), [=](caf::expected<http_response> resp) {
    if (!resp)
      return failed(self, "restore: " + render(resp.error()));
    if (resp->status == 409) {
      auto err = keyvault::parse_service_error(*resp);
      key_outcome out;
      out.kind = skip_existing ? key_outcome::skipped : key_outcome::failed;
      out.detail = "a key named " + self->state.key_name +
                   " exists in the vault (or is deleted and not purged yet): " + err.message;
      return report(self, std::move(out));
    }
    auto restored = keyvault::parse_key(*resp);
    if (!restored)
      return failed(self, "restore: " + render(restored.error()));
    key_outcome out;
    out.kind = key_outcome::stored;
    out.detail = restored->kid;
    report(self, std::move(out));
  });
  return {
      [=](kv_retry_atom, uint64_t id) { self->state.kv->on_timer(id); },
  };
}

// -- job ------------------------------------------------------------------------------------------

struct restore_job_state {
  key_restore_job_config cfg;
  std::unique_ptr<kv_caller> kv;
  std::deque<kb::manifest_key> queue;
  std::map<caf::actor_addr, std::pair<caf::actor, std::string>> running;
  bool probed = false;
  bool done = false;
  key_restore_result result;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  static inline const char* name = "key_restore_job";
};

using restore_job = caf::stateful_actor<restore_job_state>;

void finish(restore_job* self, std::string error) {
  auto& st = self->state;
  if (st.done)
    return;
  st.done = true;
  for (auto& [addr, w] : st.running)
    self->send_exit(w.first, caf::exit_reason::user_shutdown);
  st.running.clear();
  auto& r = st.result;
  r.error = std::move(error);
  r.ok = r.error.empty() && r.failed == 0;
  r.requests_retried += st.kv->stats().retries;
  r.throttles += st.kv->stats().throttles;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - st.started).count();
  if (st.cfg.on_done)
    st.cfg.on_done(r);
  self->quit();
}

void record(restore_job* self, key_outcome out) {
  auto& r = self->state.result;
  r.requests_retried += out.retries;
  r.throttles += out.throttles;
  switch (out.kind) {
  case key_outcome::stored:
    ++r.restored;
    break;
  case key_outcome::skipped:
    ++r.skipped;
    break;
  case key_outcome::failed:
    spdlog::warn("key restore: key {} failed: {}", out.name, out.detail);
    ++r.failed;
    break;
  }
  r.keys.push_back(std::move(out));
}

void pump(restore_job* self) {
  auto& st = self->state;
  if (st.done || !st.probed)
    return;
  auto workers = std::max<uint32_t>(1, st.cfg.workers);
  while (st.running.size() < workers && !st.queue.empty()) {
    auto entry = std::move(st.queue.front());
    st.queue.pop_front();
    auto name = entry.key.name;
    auto w = self->spawn<caf::monitored>(key_restore_worker, st.cfg.env, st.kv->auth(), st.cfg.set,
                                         std::move(entry), st.cfg.key, st.cfg.skip_existing,
                                         caf::actor_cast<caf::actor>(self));
    st.running.emplace(w.address(), std::make_pair(w, std::move(name)));
  }
  if (st.queue.empty() && st.running.empty())
    finish(self, {});
}

caf::behavior key_restore_job(restore_job* self, key_restore_job_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  st.kv = std::make_unique<kv_caller>(self, cfg.env);
  st.queue.assign(cfg.entries.begin(), cfg.entries.end());
  cfg.entries.clear();
  st.cfg = std::move(cfg);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto i = st.running.find(dm.source);
    if (i == st.running.end())
      return;
    key_outcome out;
    out.kind = key_outcome::failed;
    out.name = i->second.second;
    out.detail = "worker stopped without a result: " + render(dm.reason);
    st.running.erase(i);
    record(self, std::move(out));
    pump(self);
  });
  self->set_exit_handler(
      [=](caf::exit_msg& em) { finish(self, "interrupted (" + render(em.reason) + ")"); });
  // One small request first: it teaches the challenge once instead of once per worker.
  auto probe = keyvault::list_keys(st.cfg.env.vault, 1);
  if (!probe) {
    finish(self, render(probe.error()));
    return {};
  }
  st.kv->call(std::move(*probe), [=](caf::expected<http_response> resp) {
    auto& st = self->state;
    if (!resp)
      return finish(self, "reaching the vault failed: " + render(resp.error()));
    // Any answer but 401 means the token is accepted (restoring needs no list permission).
    if (resp->status == 401)
      return finish(self,
                    "the vault refused the token: " + render(keyvault::response_error(*resp)));
    st.probed = true;
    pump(self);
  });
  return {
      [=](key_outcome& out) {
        auto& st = self->state;
        if (st.done)
          return;
        st.running.erase(caf::actor_cast<caf::actor_addr>(self->current_sender()));
        record(self, std::move(out));
        pump(self);
      },
      [=](kv_retry_atom, uint64_t id) { self->state.kv->on_timer(id); },
  };
}

} // namespace

caf::actor spawn_key_restore_job(caf::actor_system& sys, key_restore_job_config config) {
  return sys.spawn(key_restore_job, std::move(config));
}

} // namespace bulkd
