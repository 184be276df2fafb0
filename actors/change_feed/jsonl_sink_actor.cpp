#include "actors/change_feed/jsonl_sink_actor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/jsonl_sink_file.hpp"
#include "jobs/error_text.hpp"

#include <caf/actor_system.hpp>
#include <caf/local_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <optional>

namespace bulkd {

namespace {

using jsonl_retry_atom = caf::atom_constant<caf::atom("jsonl_rtry")>;
using jsonl_sync_atom = caf::atom_constant<caf::atom("jsonl_sync")>;

using jsonl_sink_impl = feed_sink_actor::extend<caf::reacts_to<jsonl_retry_atom, uint64_t>,
                                                caf::reacts_to<jsonl_sync_atom>>;

struct pending_batch {
  change_batch batch;
  caf::typed_response_promise<caf::ok_atom> promise;
  uint32_t attempts = 0;
};

struct jsonl_sink_state {
  jsonl_sink_config cfg;
  std::optional<jsonl_sink_file> file;
  std::map<uint64_t, pending_batch> waiting; // batches between two attempts
  uint64_t next_id = 0;
  // Group commit: batches written but not yet fsynced, acknowledged by the next sync. The sync
  // is a message to self, so it comes after every batch already waiting in the mailbox.
  std::vector<pending_batch> unsynced;
  bool sync_sent = false;

  static inline const char* name = "jsonl_sink";
};

using sink_ptr = jsonl_sink_impl::stateful_pointer<jsonl_sink_state>;

caf::error write(jsonl_sink_state& st, const change_batch& batch) {
  if (!st.file) {
    auto f = jsonl_sink_file::open(st.cfg.spec, st.cfg.clock);
    if (!f)
      return std::move(f.error());
    if (f->torn_bytes_removed() > 0)
      spdlog::warn("jsonl sink: cut a torn last line of {} bytes from {} (left by a crash; its "
                   "batch is delivered again)",
                   f->torn_bytes_removed(), st.cfg.spec.path);
    st.file.emplace(std::move(*f));
  }
  auto rotated = st.file->rotated().size();
  auto err = st.file->write(batch);
  if (st.file->rotated().size() > rotated)
    spdlog::info("jsonl sink: rotated {} to {}", st.cfg.spec.path,
                 st.file->rotated().back().string());
  return err;
}

bool retryable(const caf::error& err) {
  return !(err.category() == error_category() &&
           err.code() == static_cast<uint8_t>(ec::invalid_argument));
}

caf::error gave_up(const pending_batch& p, const caf::error& err) {
  auto code = err.category() == error_category() ? static_cast<ec>(err.code()) : ec::io_error;
  return make_error(code, "jsonl sink gave up on batch " + p.batch.range_id + "#" +
                              std::to_string(p.batch.sequence) + " after " +
                              std::to_string(p.attempts) +
                              (p.attempts == 1 ? " attempt: " : " attempts: ") + error_text(err));
}

void schedule(sink_ptr self, pending_batch p, caf::timespan delay) {
  auto& st = self->state;
  auto id = st.next_id++;
  st.waiting.emplace(id, std::move(p));
  self->delayed_send(self, delay, jsonl_retry_atom::value, id);
}

// A failed attempt at `p`: retried after a backoff, or answered with the error for good.
void settle_failed(sink_ptr self, pending_batch p, const caf::error& err) {
  auto& st = self->state;
  if (!retryable(err) || p.attempts >= std::max<uint32_t>(1, st.cfg.retry.max_attempts)) {
    auto final_err = gave_up(p, err);
    spdlog::error("{}", error_text(final_err));
    p.promise.deliver(std::move(final_err));
    return;
  }
  backoff_policy policy{st.cfg.retry.initial_backoff, st.cfg.retry.max_backoff};
  auto delay = backoff_delay(policy, p.attempts - 1, st.cfg.jitter);
  spdlog::warn("jsonl sink: batch {}#{} attempt {} failed, retrying in {} ms: {}", p.batch.range_id,
               p.batch.sequence, p.attempts,
               std::chrono::duration_cast<std::chrono::milliseconds>(delay).count(),
               error_text(err));
  schedule(self, std::move(p), delay);
}

// One more attempt at `p`: written (acknowledged by the next sync), retried later or failed.
void attempt(sink_ptr self, pending_batch p) {
  auto& st = self->state;
  ++p.attempts;
  if (auto err = write(st, p.batch)) {
    settle_failed(self, std::move(p), err);
    return;
  }
  st.unsynced.push_back(std::move(p));
  if (!st.sync_sent) {
    st.sync_sent = true;
    self->send(self, jsonl_sync_atom::value);
  }
}

void sync(sink_ptr self) {
  auto& st = self->state;
  st.sync_sent = false;
  auto group = std::move(st.unsynced);
  st.unsynced.clear();
  auto err = st.file ? st.file->sync() : caf::error{};
  for (auto& p : group) {
    if (err)
      settle_failed(self, std::move(p), err);
    else
      p.promise.deliver(caf::ok_atom::value);
  }
}

jsonl_sink_impl::behavior_type jsonl_sink_actor(sink_ptr self, jsonl_sink_config cfg) {
  install_exception_handler(self);
  self->state.cfg = std::move(cfg);
  return {
      [self](sink_deliver_atom, change_batch& batch) -> caf::result<caf::ok_atom> {
        auto promise = self->make_response_promise<caf::ok_atom>();
        attempt(self, pending_batch{std::move(batch), promise, 0});
        return promise;
      },
      [self](jsonl_retry_atom, uint64_t id) {
        auto i = self->state.waiting.find(id);
        if (i == self->state.waiting.end())
          return;
        auto p = std::move(i->second);
        self->state.waiting.erase(i);
        attempt(self, std::move(p));
      },
      [self](jsonl_sync_atom) { sync(self); },
  };
}

} // namespace

feed_sink_actor spawn_jsonl_sink(caf::actor_system& sys, jsonl_sink_config config) {
  return sys.spawn<caf::detached>(jsonl_sink_actor, std::move(config));
}

feed_sink_actor spawn_jsonl_sink(caf::local_actor* parent, jsonl_sink_config config) {
  return parent->spawn<caf::detached>(jsonl_sink_actor, std::move(config));
}

} // namespace bulkd
