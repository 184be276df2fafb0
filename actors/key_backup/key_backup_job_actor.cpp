#include "actors/key_backup/key_backup_job_actor.hpp"

#include "actors/exception_handler.hpp"
#include "actors/key_backup/key_backup_messages.hpp"
#include "clients/error.hpp"
#include "clients/keyvault/key_requests.hpp"
#include "clients/keyvault/key_responses.hpp"
#include "clients/keyvault/pager.hpp"
#include "jobs/glob.hpp"
#include "jobs/job_spec.hpp"
#include "jobs/key_backup/backup_set_writer.hpp"
#include "jobs/key_backup/retention.hpp"
#include "jobs/key_backup/set_layout.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace bulkd {

namespace {

namespace kb = key_backup;
using keyvault::key_properties;

bool is_error(const caf::error& err, ec code) {
  return err && err.category() == error_category() && err.code() == static_cast<uint8_t>(code);
}

utc_time utc_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// -- writer: stores key files off the cooperative scheduler (fsync) ------------------------------

caf::behavior key_writer(caf::event_based_actor* self, std::filesystem::path dir,
                         std::optional<kb::encryption_key> key) {
  install_exception_handler(self);
  return {
      [=](write_key_atom, kb::key_info& info,
          const std::string& blob) -> caf::result<kb::manifest_key> {
        auto entry = kb::write_key_file(dir, key ? &*key : nullptr, std::move(info), blob);
        if (!entry)
          return entry.error();
        return std::move(*entry);
      },
  };
}

// -- worker: one key ------------------------------------------------------------------------------
//
// The three reads a key needs (its versions, its current version and kty, the backup blob) go out
// at once, so a key costs one round trip rather than three. Once the blob is fetched the worker
// tells the job (fetched_atom), which frees its slot for the next key while the file is written
// and fsynced; the worker reports the outcome once the writer answers.

struct worker_state {
  std::unique_ptr<kv_caller> kv;
  std::optional<keyvault::pager> pager;
  caf::actor job;
  caf::actor writer;
  key_properties item;
  std::vector<std::pair<int64_t, std::string>> versions; // created, version id
  kb::key_info info;
  std::optional<std::string> blob;
  bool versions_done = false;
  bool key_done = false;
  bool finished = false;
  static inline const char* name = "key_backup_worker";
};

using worker_actor = caf::stateful_actor<worker_state>;

void report(worker_actor* self, key_outcome out) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  out.name = st.item.id.name;
  out.retries = st.kv->stats().retries;
  out.throttles = st.kv->stats().throttles;
  self->send(st.job, std::move(out));
  self->quit();
}

void worker_failed(worker_actor* self, const std::string& step, const caf::error& err) {
  key_outcome out;
  if (is_error(err, ec::not_found)) {
    // Deleted between the listing and its backup: nothing left to back up.
    out.kind = key_outcome::skipped;
    out.detail = "deleted while the run went on (" + step + ": " + render(err) + ")";
  } else {
    out.kind = key_outcome::failed;
    out.detail = step + ": " + render(err);
  }
  report(self, std::move(out));
}

// Writes the file once all three reads have answered.
void write_when_ready(worker_actor* self) {
  auto& st = self->state;
  if (st.finished || !st.versions_done || !st.key_done || !st.blob)
    return;
  std::stable_sort(st.versions.begin(), st.versions.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& v : st.versions)
    st.info.versions.push_back(v.second);
  st.versions.clear();
  self->send(st.job, fetched_atom::value);
  self->request(st.writer, caf::infinite, write_key_atom::value, st.info, std::move(*st.blob))
      .then(
          [=](kb::manifest_key& entry) {
            key_outcome out;
            out.kind = key_outcome::stored;
            out.entry = std::move(entry);
            report(self, std::move(out));
          },
          [=](caf::error& err) { worker_failed(self, "writing the file", err); });
  st.blob.reset();
}

void backup(worker_actor* self) {
  auto& st = self->state;
  auto req = keyvault::backup_key(st.kv->env().vault, st.item.id.name);
  if (!req)
    return worker_failed(self, "backup", req.error());
  st.kv->call(std::move(*req), [=](caf::expected<http_response> resp) {
    if (!resp)
      return worker_failed(self, "backup", resp.error());
    auto blob = keyvault::parse_backup(*resp);
    if (!blob)
      return worker_failed(self, "backup", blob.error());
    self->state.blob = std::move(*blob);
    write_when_ready(self);
  });
}

void read_key(worker_actor* self) {
  auto& st = self->state;
  auto req = keyvault::get_key(st.kv->env().vault, st.item.id.name);
  if (!req)
    return worker_failed(self, "get key", req.error());
  st.kv->call(std::move(*req), [=](caf::expected<http_response> resp) {
    if (!resp)
      return worker_failed(self, "get key", resp.error());
    auto key = keyvault::parse_key(*resp);
    if (!key)
      return worker_failed(self, "get key", key.error());
    auto& st = self->state;
    st.info.kid = key->kid;
    st.info.key_type = key->kty;
    st.key_done = true;
    write_when_ready(self);
  });
}

void list_versions(worker_actor* self, http_request req) {
  self->state.kv->call(std::move(req), [=](caf::expected<http_response> resp) {
    if (!resp)
      return worker_failed(self, "list versions", resp.error());
    auto page = keyvault::parse_key_list(*resp);
    if (!page)
      return worker_failed(self, "list versions", page.error());
    auto& st = self->state;
    for (auto& v : page->items)
      st.versions.emplace_back(v.attributes.created.value_or(0), v.id.version);
    auto next = st.pager->next(page->next_link);
    if (!next)
      return worker_failed(self, "list versions", next.error());
    if (*next)
      return list_versions(self, std::move(**next));
    st.versions_done = true;
    write_when_ready(self);
  });
}

caf::behavior key_backup_worker(worker_actor* self, kv_env env, kv_auth auth, key_properties item,
                                caf::actor writer, caf::actor job) {
  install_exception_handler(self);
  auto& st = self->state;
  st.pager.emplace(env.vault);
  st.kv = std::make_unique<kv_caller>(self, std::move(env), std::move(auth));
  st.job = std::move(job);
  st.writer = std::move(writer);
  st.info.name = item.id.name;
  st.info.tags = item.tags;
  st.item = std::move(item);
  auto req = keyvault::list_key_versions(st.kv->env().vault, st.item.id.name);
  if (!req) {
    worker_failed(self, "list versions", req.error());
  } else {
    list_versions(self, std::move(*req));
    read_key(self);
    backup(self);
  }
  return {
      [=](kv_retry_atom, uint64_t id) { self->state.kv->on_timer(id); },
  };
}

// -- job: the run's supervisor --------------------------------------------------------------------

struct job_state {
  key_backup_job_config cfg;
  std::unique_ptr<kv_caller> kv;
  std::optional<kb::backup_set_writer> set;
  std::optional<keyvault::pager> pager;
  std::vector<glob_pattern> include;
  std::vector<glob_pattern> exclude;
  std::deque<key_properties> queue;
  std::map<caf::actor_addr, std::pair<caf::actor, std::string>> running;
  std::set<caf::actor_addr>
      writing; // running workers whose key is fetched, its file not yet written
  std::vector<caf::actor> writers;
  size_t next_writer = 0;
  bool listing_done = false;
  bool listing = false;                  // a page request is in flight
  std::optional<http_request> next_page; // requested once the queue runs low
  bool done = false;
  key_backup_result result;
  uint64_t worker_retries = 0;
  uint64_t worker_throttles = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  static inline const char* name = "key_backup_job";
};

using job_actor = caf::stateful_actor<job_state>;

void finish(job_actor* self, std::string error) {
  auto& st = self->state;
  if (st.done)
    return;
  st.done = true;
  auto& r = st.result;
  r.error = std::move(error);
  for (auto& [addr, w] : st.running)
    self->send_exit(w.first, caf::exit_reason::user_shutdown);
  st.running.clear();
  if (r.error.empty() && st.set) {
    auto manifest = st.set->finish(utc_now());
    if (!manifest)
      r.error = "writing manifest.json failed: " + render(manifest.error());
  }
  if (r.error.empty() && st.cfg.spec.keep_last) {
    auto vdir = kb::vault_directory(st.cfg.spec.destination.path, st.cfg.vault_url);
    auto listing =
        vdir ? kb::list_backup_sets(*vdir) : caf::expected<kb::set_listing>{vdir.error()};
    if (!listing) {
      r.retention_errors.push_back(render(listing.error()));
    } else {
      auto plan = kb::plan_retention(*listing, *st.cfg.spec.keep_last);
      for (auto& set : plan.incomplete) {
        spdlog::warn("key-backup {}: kept incomplete set {} ({}); delete it once it is not needed",
                     st.cfg.name, set.dir.string(), set.detail);
        r.retention_incomplete.push_back(set.dir.string() + ": " + set.detail);
      }
      auto applied = kb::apply_retention(plan);
      r.retention_removed = applied.removed.size();
      r.retention_errors = applied.errors;
      for (auto& dir : applied.removed)
        spdlog::info("key-backup {}: retention removed {}", st.cfg.name, dir.string());
    }
  }
  r.ok = r.error.empty() && r.failed == 0;
  r.requests_retried = st.kv->stats().retries + st.worker_retries;
  r.throttles = st.kv->stats().throttles + st.worker_throttles;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - st.started).count();
  for (auto& w : st.writers)
    self->send_exit(w, caf::exit_reason::user_shutdown);
  st.writers.clear();
  if (st.cfg.on_done)
    st.cfg.on_done(r);
  self->quit();
}

bool selected(const job_state& st, const key_properties& item) {
  const auto& name = item.id.name;
  bool in = std::any_of(st.include.begin(), st.include.end(),
                        [&](const glob_pattern& g) { return g.matches(name); });
  if (!in)
    return false;
  if (std::any_of(st.exclude.begin(), st.exclude.end(),
                  [&](const glob_pattern& g) { return g.matches(name); }))
    return false;
  for (auto& [k, v] : st.cfg.spec.keys.tags) {
    auto i = item.tags.find(k);
    if (i == item.tags.end() || i->second != v)
      return false;
  }
  return true;
}

void list_page(job_actor* self, http_request req);

void pump(job_actor* self) {
  auto& st = self->state;
  if (st.done)
    return;
  auto workers = std::max<size_t>(1, st.cfg.spec.workers);
  // The next page only when the queue runs low: memory stays flat however many keys the vault
  // holds (a page is at most 25 keys).
  if (st.next_page && !st.listing && st.queue.size() < workers + keyvault::max_maxresults) {
    auto req = std::move(*st.next_page);
    st.next_page.reset();
    list_page(self, std::move(req));
  }
  // Workers that only wait for their file to be written do not hold a slot, up to a bound so
  // that blobs waiting for a slow disk cannot pile up.
  auto fetching = [&] { return st.running.size() - st.writing.size(); };
  while (fetching() < workers && st.writing.size() <= 2 * workers && !st.queue.empty()) {
    auto item = std::move(st.queue.front());
    st.queue.pop_front();
    auto name = item.id.name;
    auto writer = st.writers[st.next_writer++ % st.writers.size()];
    auto w =
        self->spawn<caf::monitored>(key_backup_worker, st.cfg.env, st.kv->auth(), std::move(item),
                                    writer, caf::actor_cast<caf::actor>(self));
    st.running.emplace(w.address(), std::make_pair(w, std::move(name)));
  }
  if (st.listing_done && st.queue.empty() && st.running.empty())
    finish(self, {});
}

void record(job_actor* self, key_outcome out) {
  auto& st = self->state;
  auto& r = st.result;
  st.worker_retries += out.retries;
  st.worker_throttles += out.throttles;
  caf::error err;
  switch (out.kind) {
  case key_outcome::stored:
    err = st.set->add(std::move(out.entry));
    if (!err)
      ++r.backed_up;
    break;
  case key_outcome::skipped:
    spdlog::info("key-backup {}: skipped key {}: {}", st.cfg.name, out.name, out.detail);
    err = st.set->skip({out.name, false, out.detail});
    if (!err)
      ++r.skipped;
    break;
  case key_outcome::failed:
    spdlog::warn("key-backup {}: key {} failed: {}", st.cfg.name, out.name, out.detail);
    ++r.failed;
    r.failures.push_back(out.name + ": " + out.detail);
    err = st.set->fail({out.name, out.detail});
    break;
  }
  if (err)
    finish(self, "recording key " + out.name + " failed: " + render(err));
}

void consider(job_actor* self, key_properties item) {
  auto& st = self->state;
  ++st.result.listed;
  if (!selected(st, item))
    return;
  ++st.result.selected;
  if (item.managed) {
    key_outcome out;
    out.kind = key_outcome::skipped;
    out.name = item.id.name;
    out.detail = "managed: it backs a certificate, which Key Vault backs up only as the "
                 "certificate";
    auto reason = out.detail;
    spdlog::info("key-backup {}: skipped key {}: {}", st.cfg.name, out.name, reason);
    if (auto err = st.set->skip({out.name, true, reason}))
      finish(self, "recording key " + out.name + " failed: " + render(err));
    else
      ++st.result.skipped;
    return;
  }
  st.queue.push_back(std::move(item));
}

void list_page(job_actor* self, http_request req) {
  self->state.listing = true;
  self->state.kv->call(std::move(req), [=](caf::expected<http_response> resp) {
    auto& st = self->state;
    st.listing = false;
    if (st.done)
      return;
    if (!resp)
      return finish(self, "listing keys failed: " + render(resp.error()));
    auto page = keyvault::parse_key_list(*resp);
    if (!page)
      return finish(self, "listing keys failed: " + render(page.error()));
    for (auto& item : page->items)
      consider(self, std::move(item));
    if (st.done)
      return;
    auto next = st.pager->next(page->next_link);
    if (!next)
      return finish(self, "listing keys failed: " + render(next.error()));
    if (*next)
      st.next_page = std::move(**next);
    else
      st.listing_done = true;
    pump(self);
  });
}

caf::behavior key_backup_job(job_actor* self, key_backup_job_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  st.result.job = cfg.name;
  st.include = parsed_globs(cfg.spec.keys.include);
  st.exclude = parsed_globs(cfg.spec.keys.exclude);
  st.pager.emplace(cfg.env.vault);
  st.kv = std::make_unique<kv_caller>(self, cfg.env);
  st.cfg = std::move(cfg);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto i = st.running.find(dm.source);
    if (i == st.running.end())
      return;
    st.writing.erase(dm.source);
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
  kb::backup_set_writer::options opts;
  opts.destination = st.cfg.spec.destination.path;
  opts.vault_url = st.cfg.vault_url;
  opts.started = utc_now();
  if (!st.cfg.spec.destination.encryption_key.empty()) {
    auto key = kb::encryption_key::parse(st.cfg.spec.destination.encryption_key.reveal());
    if (!key) {
      finish(self, "destination.encryption_key: " + render(key.error()));
      return {};
    }
    opts.key = std::move(*key);
  }
  auto set = kb::backup_set_writer::create(std::move(opts));
  if (!set) {
    finish(self, "creating the backup set failed: " + render(set.error()));
    return {};
  }
  st.set.emplace(std::move(*set));
  st.result.set_dir = st.set->directory().string();
  auto key = st.set->key() ? std::optional<kb::encryption_key>{*st.set->key()} : std::nullopt;
  for (size_t i = 0; i < std::max<size_t>(1, st.cfg.writers); ++i)
    st.writers.push_back(self->spawn<caf::detached>(key_writer, st.set->directory(), key));
  auto req = keyvault::list_keys(st.cfg.env.vault);
  if (!req) {
    finish(self, "listing keys failed: " + render(req.error()));
    return {};
  }
  list_page(self, std::move(*req));
  return {
      [=](key_outcome& out) {
        auto& st = self->state;
        if (st.done)
          return;
        auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
        st.running.erase(sender);
        st.writing.erase(sender);
        record(self, std::move(out));
        pump(self);
      },
      [=](fetched_atom) {
        auto& st = self->state;
        if (st.done)
          return;
        auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
        if (st.running.count(sender) != 0)
          st.writing.insert(sender);
        pump(self);
      },
      [=](kv_retry_atom, uint64_t id) { self->state.kv->on_timer(id); },
  };
}

} // namespace

caf::actor spawn_key_backup_job(caf::actor_system& sys, key_backup_job_config config) {
  return sys.spawn<caf::detached>(key_backup_job, std::move(config));
}

} // namespace bulkd
