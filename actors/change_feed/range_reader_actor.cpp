#include "actors/change_feed/range_reader_actor.hpp"

#include "actors/change_feed/range_reader_messages.hpp"
#include "actors/cosmos_container_session.hpp"
#include "actors/exception_handler.hpp"
#include "clients/cosmos/error_classification.hpp"
#include "clients/cosmos/feed_page.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/range_lag.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

namespace bulkd {

namespace {

using std::chrono::milliseconds;

struct range_reader_state {
  range_reader_config cfg;
  /// Where the next read starts; empty = start_from (until the first answer gives an etag).
  std::string continuation;
  /// Whether any position was reported to the parent (or given at spawn).
  bool positioned = false;
  uint64_t next_sequence = 1;
  uint32_t attempts = 0;  // failed reads in a row (throttles not counted)
  uint32_t throttles = 0; // 429 answers in a row
  /// The batch the sink has not answered yet.
  std::optional<change_batch> batch;
  bool checkpointing = false;
  /// What to do once the checkpoint in flight is answered (at most one: the next read's outcome).
  std::function<void()> after_checkpoint;
  range_lag_tracker lag;

  static inline const char* name = "feed_range_reader";
};

using reader_ptr = caf::stateful_actor<range_reader_state>*;

void read(reader_ptr self);

std::string where(const range_reader_state& st) {
  return "change feed of " + st.cfg.container.link() + " range " + st.cfg.range_id;
}

/// `err` with where it happened in front, keeping its code when it is one of bulkd's:
/// "unauthorized: change feed of dbs/shop/colls/orders range 0: HTTP 401 Unauthorized: ...".
caf::error located(const range_reader_state& st, const caf::error& err,
                   const std::string& before = {}) {
  auto text = render(err);
  auto code = ec::worker_failed;
  if (err.category() == error_category()) {
    code = static_cast<ec>(err.code());
    auto prefix = std::string{to_string(code)} + ": ";
    if (text.rfind(prefix, 0) == 0)
      text.erase(0, prefix.size());
  }
  return make_error(code, where(st) + ": " + before + text);
}

/// Runs `fn` now, or after the checkpoint in flight is stored.
void when_checkpointed(reader_ptr self, std::function<void()> fn) {
  auto& st = self->state;
  if (st.checkpointing)
    st.after_checkpoint = std::move(fn);
  else
    fn();
}

void fail(reader_ptr self, caf::error err) {
  self->quit(std::move(err));
}

void checkpoint(reader_ptr self, range_checkpoint cp) {
  auto& st = self->state;
  st.checkpointing = true;
  st.positioned = true;
  self->request(st.cfg.parent, caf::infinite, feed_checkpoint_atom::value, cp)
      .then(
          [self, cp](caf::ok_atom) {
            auto& st = self->state;
            st.checkpointing = false;
            st.lag.checkpointed(cp.continuation, cp.session_lsn, cp.last_ts);
            if (auto next = std::move(st.after_checkpoint)) {
              st.after_checkpoint = nullptr;
              next();
            }
          },
          [self](caf::error& err) {
            fail(self, make_error(ec::worker_failed,
                                  where(self->state) +
                                      ": the checkpoint was not stored: " + render(err)));
          });
}

range_checkpoint checkpoint_of(const change_batch& batch, bool skipped) {
  return range_checkpoint{batch.range_id, batch.continuation,     batch.session_lsn,
                          batch.last_ts,  batch.documents.size(), batch.sequence,
                          skipped};
}

/// Skip (checkpoint) or stop, as the parent decided about a batch the sink failed.
void sink_failed(reader_ptr self, change_batch batch, caf::error err) {
  auto& st = self->state;
  auto skipped = checkpoint_of(batch, true);
  self->request(st.cfg.parent, caf::infinite, feed_sink_failed_atom::value, std::move(batch), err)
      .then(
          [self, skipped, err](caf::atom_value verdict) {
            auto& st = self->state;
            if (verdict == feed_skip_atom::value) {
              st.continuation = skipped.continuation;
              checkpoint(self, skipped);
              read(self);
            } else if (verdict == feed_stop_atom::value) {
              fail(self, err);
            } else {
              fail(self, make_error(ec::worker_failed,
                                    where(st) + ": the parent answered '" + to_string(verdict) +
                                        "' about a failed batch, neither cf_skip nor cf_stop"));
            }
          },
          [self](caf::error& e) {
            fail(self, make_error(ec::worker_failed,
                                  where(self->state) +
                                      ": no decision about a failed batch: " + render(e)));
          });
}

std::optional<int64_t> last_ts_of(const std::vector<std::string>& documents) {
  if (documents.empty())
    return std::nullopt;
  auto doc = nlohmann::json::parse(documents.back(), nullptr, false);
  if (!doc.is_object())
    return std::nullopt;
  auto ts = doc.find("_ts");
  if (ts == doc.end() || !ts->is_number_integer())
    return std::nullopt;
  return ts->get<int64_t>();
}

void deliver(reader_ptr self, cosmos::feed_page page) {
  auto& st = self->state;
  auto& batch = st.batch.emplace();
  batch.job = st.cfg.job;
  batch.range_id = st.cfg.range_id;
  batch.continuation = std::move(page.etag);
  batch.last_ts = last_ts_of(page.documents);
  batch.documents = std::move(page.documents);
  batch.session_lsn = page.session_lsn;
  batch.sequence = st.next_sequence++;
  self->request(st.cfg.sink, caf::infinite, sink_deliver_atom::value, batch)
      .then(
          [self](caf::ok_atom) {
            auto& st = self->state;
            auto cp = checkpoint_of(*st.batch, false);
            st.batch.reset();
            st.continuation = cp.continuation;
            checkpoint(self, std::move(cp));
            read(self); // overlaps the checkpoint write; its page waits for the answer
          },
          [self](caf::error& err) {
            auto& st = self->state;
            auto batch = std::move(*st.batch);
            st.batch.reset();
            sink_failed(self, std::move(batch), std::move(err));
          });
}

void read_later(reader_ptr self, milliseconds delay) {
  run_later(self, delay, [self] { read(self); });
}

/// A retryable failure: again after the backoff, or fail once the attempts are used up.
void retry(reader_ptr self, milliseconds least, const caf::error& last) {
  auto& st = self->state;
  ++st.attempts;
  if (st.attempts >= std::max<uint32_t>(st.cfg.retry.max_attempts, 1)) {
    fail(self, located(st, last, "gave up after " + std::to_string(st.attempts) + " attempts: "));
    return;
  }
  backoff_policy policy{st.cfg.retry.initial_backoff, st.cfg.retry.max_backoff};
  auto delay = std::chrono::duration_cast<milliseconds>(
      backoff_delay(policy, st.attempts - 1, st.cfg.jitter));
  read_later(self, std::max(delay, least));
}

void on_page(reader_ptr self, cosmos::feed_page page) {
  auto& st = self->state;
  st.attempts = 0;
  st.throttles = 0;
  st.lag.observed(page.session_lsn);
  if (!page.documents.empty()) {
    if (page.etag.empty()) {
      fail(self, make_error(ec::parse_error,
                            where(st) + ": a page of changes without an etag to continue from"));
      return;
    }
    when_checkpointed(self,
                      [self, page = std::move(page)]() mutable { deliver(self, std::move(page)); });
    return;
  }
  // Nothing new: the etag still moves (e.g. "*" becomes the range's LSN).
  if (!page.etag.empty())
    st.continuation = page.etag;
  when_checkpointed(self, [self, page = std::move(page)] {
    auto& st = self->state;
    if (!st.positioned && !st.continuation.empty()) {
      range_checkpoint cp;
      cp.range_id = st.cfg.range_id;
      cp.continuation = st.continuation;
      cp.session_lsn = page.session_lsn;
      checkpoint(self, std::move(cp));
    }
    read_later(self, st.cfg.poll_interval);
  });
}

void on_response(reader_ptr self, http_response& res) {
  auto& st = self->state;
  if (res.status == 200 || res.status == 304) {
    auto page = cosmos::parse_feed_page(res);
    if (!page) {
      fail(self, located(st, page.error()));
      return;
    }
    on_page(self, std::move(*page));
    return;
  }
  auto err = cosmos::parse_service_error(res);
  int substatus = err ? err->substatus() : 0;
  auto decision = err ? cosmos::classify(*err) : cosmos::classify(res.status, 0);
  auto error = err ? cosmos::to_error(*err)
                   : make_error(ec::http_error, "HTTP " + std::to_string(res.status));
  auto text = render(error);
  if (res.status == 429) {
    if (++st.throttles > st.cfg.max_throttle_retries) {
      fail(self, located(st, error,
                         "still throttled after " + std::to_string(st.cfg.max_throttle_retries) +
                             " retries: "));
      return;
    }
    read_later(self, decision.delay);
    return;
  }
  if (res.status == 410 && (substatus == 1002 || substatus == 1007)) {
    when_checkpointed(self, [self, substatus, text] {
      auto& st = self->state;
      self->send(st.cfg.parent, feed_gone_atom::value,
                 range_gone{st.cfg.range_id, st.continuation, substatus, text});
      self->quit();
    });
    return;
  }
  using cosmos::retry_action;
  // A feed read has no routing or container cache to refresh: those 410s and 404/1002 are
  // retried as they are (a split is 1002/1007, handled above).
  if (decision.action == retry_action::retry || decision.action == retry_action::refresh_routing ||
      decision.action == retry_action::refresh_container) {
    retry(self, decision.delay, error);
    return;
  }
  when_checkpointed(self, [self, error] { fail(self, located(self->state, error)); });
}

cosmos::change_feed_options read_options(const range_reader_state& st) {
  cosmos::change_feed_options o;
  o.range_id = st.cfg.range_id;
  o.epk = st.cfg.epk;
  o.max_item_count = static_cast<int>(std::max<uint32_t>(st.cfg.max_batch, 1));
  if (!st.continuation.empty()) {
    o.if_none_match = st.continuation;
  } else {
    switch (st.cfg.start_from.kind) {
    case start_position::beginning:
      break;
    case start_position::now:
      o.if_none_match = "*";
      break;
    case start_position::time:
      o.start_time = std::chrono::floor<std::chrono::seconds>(st.cfg.start_from.at);
      break;
    }
  }
  return o;
}

void read(reader_ptr self) {
  auto& st = self->state;
  auto req = st.cfg.builder->change_feed(st.cfg.container, read_options(st));
  if (!req) {
    fail(self, located(st, req.error()));
    return;
  }
  self->request(st.cfg.pool, caf::infinite, http_atom::value, std::move(*req))
      .then([self](http_response& res) { on_response(self, res); },
            [self](caf::error& err) {
              auto& st = self->state;
              if (!transient_transport_error(err)) {
                fail(self, located(st, err));
                return;
              }
              retry(self, milliseconds{0}, err);
            });
}

caf::behavior range_reader(reader_ptr self, range_reader_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.continuation = st.cfg.continuation;
  st.positioned = !st.continuation.empty();
  // The stored checkpoint counts for lag: a restarted reader that finds nothing new is caught up.
  if (st.positioned)
    st.lag.checkpointed(st.continuation, std::nullopt, std::nullopt);
  st.next_sequence = st.cfg.first_sequence;
  // Any exit message stops reading at once; an unacked batch is not checkpointed.
  self->set_exit_handler([self](caf::exit_msg& msg) { self->quit(std::move(msg.reason)); });
  // A sink or parent that is gone would never answer a request that it had taken.
  self->monitor(st.cfg.sink);
  self->monitor(st.cfg.parent);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (msg.source == st.cfg.sink.address())
      fail(self,
           make_error(ec::worker_failed, where(st) + ": the sink stopped (" +
                                             (msg.reason ? render(msg.reason) : "normally") + ")"));
    else if (msg.source == st.cfg.parent.address())
      self->quit(std::move(msg.reason));
  });
  read(self);
  return deferred_calls().or_else(caf::message_handler{
      [self](feed_lag_atom) { return self->state.lag.lag(std::chrono::system_clock::now()); },
  });
}

} // namespace

caf::actor spawn_range_reader(caf::local_actor* parent, range_reader_config config) {
  return parent->spawn(range_reader, std::move(config));
}

caf::actor spawn_range_reader(caf::actor_system& sys, range_reader_config config) {
  return sys.spawn(range_reader, std::move(config));
}

} // namespace bulkd
