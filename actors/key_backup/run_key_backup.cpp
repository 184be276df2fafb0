#include "actors/key_backup/run_key_backup.hpp"

#include "actors/key_backup/vault_credential.hpp"
#include "actors/token_cache_actor.hpp"
#include "clients/error.hpp"
#include "clients/keyvault/vault.hpp"
#include "jobs/key_backup/manifest_mac.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <future>
#include <set>

namespace bulkd {

namespace {

/// The vault's environment for kv_caller: its URL, TLS, credential and a fresh token cache.
caf::expected<kv_env> make_env(caf::actor_system& sys, const http_pool_actor& pool,
                               const daemon_config& config, const std::string& vault_name,
                               const std::string& api_version, const retry_policy& retry) {
  auto v = config.vaults.find(vault_name);
  if (v == config.vaults.end())
    return make_error(ec::invalid_argument,
                      "vault '" + vault_name + "' is not defined in " + config.origin.file);
  auto vault = keyvault::make_vault(v->second.url, api_version);
  if (!vault)
    return vault.error();
  std::string reason;
  auto cred = make_vault_credential(v->second.credential, config, &reason);
  if (!cred)
    return cred.error();
  if (!*cred)
    return make_error(ec::invalid_argument, "vault '" + vault_name + "' has no usable credential");
  if (!reason.empty())
    spdlog::info("vault {}: {}", vault_name, reason);
  token_cache_config tc;
  tc.credential = *cred;
  tc.pool = pool;
  tc.tls = v->second.tls;
  kv_env env;
  env.vault = std::move(*vault);
  env.tls = v->second.tls;
  env.pool = pool;
  env.tokens = spawn_token_cache(sys, std::move(tc));
  env.retry = retry;
  return env;
}

template <class Result>
Result wait_for_job(caf::actor_system& sys, std::future<Result> done, const caf::actor& job,
                    const token_cache_actor& tokens) {
  auto result = done.get();
  caf::scoped_actor self{sys, true};
  self->wait_for(job);
  caf::anon_send_exit(tokens, caf::exit_reason::user_shutdown);
  self->wait_for(tokens);
  return result;
}

} // namespace

key_backup_result run_key_backup(caf::actor_system& sys, const http_pool_actor& pool,
                                 const daemon_config& config, const job_spec& job,
                                 const std::function<void(const caf::actor&)>& on_started) {
  key_backup_result failed;
  failed.job = job.name;
  auto* spec = std::get_if<key_backup_spec>(&job.body);
  if (spec == nullptr) {
    failed.error = "job '" + job.name + "' is not a key-backup job";
    return failed;
  }
  auto env = make_env(sys, pool, config, spec->vault, spec->api_version, spec->retry);
  if (!env) {
    failed.error = render(env.error());
    return failed;
  }
  auto tokens = env->tokens;
  key_backup_job_config jc;
  jc.name = job.name;
  jc.spec = *spec;
  jc.spec.destination.path = config.resolve_job_path(spec->destination.path);
  jc.vault_url = config.vaults.at(spec->vault).url;
  jc.env = std::move(*env);
  auto promise = std::make_shared<std::promise<key_backup_result>>();
  auto future = promise->get_future();
  jc.on_done = [promise](const key_backup_result& r) { promise->set_value(r); };
  auto actor = spawn_key_backup_job(sys, std::move(jc));
  if (on_started)
    on_started(actor);
  return wait_for_job(sys, std::move(future), actor, tokens);
}

key_restore_result run_key_restore(caf::actor_system& sys, const http_pool_actor& pool,
                                   const daemon_config& config, const key_restore_request& request,
                                   const std::function<void(const caf::actor&)>& on_started) {
  key_restore_result failed;
  auto set = key_backup::open_backup_set(request.set_dir);
  if (!set) {
    failed.error = render(set.error());
    return failed;
  }
  std::shared_ptr<const key_backup::encryption_key> key;
  if (!request.encryption_key_file.empty()) {
    auto k = key_backup::encryption_key::read_file(request.encryption_key_file);
    if (!k) {
      failed.error = render(k.error());
      return failed;
    }
    key = std::make_shared<const key_backup::encryption_key>(std::move(*k));
  }
  const auto& m = set->manifest;
  if (m.encryption.encrypted()) {
    if (!key) {
      failed.error = "the set is encrypted (key id " + m.encryption.key_id +
                     "): give its key with --encryption-key-file";
      return failed;
    }
    if (key->id() != m.encryption.key_id) {
      failed.error = "wrong key: the set was encrypted with key id " + m.encryption.key_id +
                     ", the key file has id " + key->id();
      return failed;
    }
    if (auto err = key_backup::check_manifest_mac(*key, set->manifest_text)) {
      failed.error = render(err);
      return failed;
    }
  }
  std::vector<key_backup::manifest_key> entries;
  if (request.keys.empty()) {
    entries = m.keys;
  } else {
    std::set<std::string> wanted(request.keys.begin(), request.keys.end());
    for (auto& k : m.keys)
      if (wanted.erase(k.key.name) > 0)
        entries.push_back(k);
    if (!wanted.empty()) {
      std::string names;
      for (auto& n : wanted)
        names += (names.empty() ? "" : ", ") + n;
      failed.error = "not in the set: " + names;
      return failed;
    }
  }
  auto env = make_env(sys, pool, config, request.vault, request.api_version, request.retry);
  if (!env) {
    failed.error = render(env.error());
    return failed;
  }
  auto tokens = env->tokens;
  key_restore_job_config jc;
  jc.set = std::make_shared<const key_backup::backup_set>(std::move(*set));
  jc.entries = std::move(entries);
  jc.key = key;
  jc.skip_existing = request.skip_existing;
  jc.workers = request.workers;
  jc.env = std::move(*env);
  auto promise = std::make_shared<std::promise<key_restore_result>>();
  auto future = promise->get_future();
  jc.on_done = [promise](const key_restore_result& r) { promise->set_value(r); };
  auto actor = spawn_key_restore_job(sys, std::move(jc));
  if (on_started)
    on_started(actor);
  return wait_for_job(sys, std::move(future), actor, tokens);
}

} // namespace bulkd
