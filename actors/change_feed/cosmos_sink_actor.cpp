#include "actors/change_feed/cosmos_sink_actor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/cosmos/batch_builder.hpp"
#include "clients/cosmos/batch_operation.hpp"
#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/error_classification.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/cosmos_sink_document.hpp"
#include "jobs/error_text.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/local_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/result.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>

namespace bulkd {

namespace {

using std::chrono::milliseconds;

struct doc_failure {
  size_t index = 0;
  std::string id;
  bool sent = false; // false: bad input, never sent
  int status = 0;
  int substatus = 0;
  std::string message;
};

/// One document on its way: the bulk operation and what its sends met so far.
struct sink_op {
  uint64_t batch = 0;
  size_t index = 0; // in the change batch
  std::string id;
  std::string epk;
  std::string json; // the serialized Upsert operation
  uint32_t attempts = 0;
  uint32_t throttles = 0;
  bool alone = false; // after 413/3402: one operation per request
};

struct batch_entry {
  std::string label; // "<range>#<sequence>"
  size_t total = 0;
  size_t outstanding = 0;
  size_t failed = 0;
  std::optional<doc_failure> first; // the failure with the lowest document index
  caf::response_promise promise;
};

struct waiting_batch {
  uint64_t id = 0;
  caf::response_promise promise;
  change_batch batch;
};

struct cosmos_sink_state {
  cosmos_sink_config cfg;
  std::shared_ptr<cosmos_container_session> session;
  caf::error setup_error; // the account cannot be used: every batch fails with it
  std::string target;     // "db/container"
  bool open = false;
  bool opening = false;
  bool stopping = false;
  cosmos::partition_key_definition definition;
  std::shared_ptr<const cosmos::routing_map> routing;
  bool refreshing = false;
  std::vector<waiting_batch> waiting; // until the target is open
  std::map<uint64_t, batch_entry> batches;
  std::deque<sink_op> ready;
  uint32_t in_flight = 0;
  uint64_t next_batch = 0;

  static inline const char* name = "cosmos_sink";
};

using sink_ptr = caf::stateful_actor<cosmos_sink_state>*;

std::string label_of(const change_batch& b) {
  return b.range_id + "#" + std::to_string(b.sequence);
}

std::string attempts_text(uint32_t n) {
  return std::to_string(n) + (n == 1 ? " attempt" : " attempts");
}

bool pool_gone(const caf::error& err) {
  return (err.category() == error_category() &&
          err.code() == static_cast<uint8_t>(ec::shutting_down)) ||
         err == caf::sec::request_receiver_down;
}

void stop(sink_ptr self, const caf::error& err) {
  spdlog::info("cosmos sink: abandons {} batch(es) in hand and stops: {}",
               self->state.batches.size(), error_text(err));
  self->state.stopping = true;
  self->quit(err);
}

// "400: bad request" -> "bad request": the status is rendered separately.
std::string without_status(const std::string& reason) {
  auto colon = reason.find(": ");
  return colon == std::string::npos ? reason : reason.substr(colon + 2);
}

caf::error give_up_error(const cosmos_sink_state& st, const batch_entry& b) {
  const auto& f = *b.first;
  auto text = "cosmos sink gave up on batch " + b.label + ": " + std::to_string(b.failed) + " of " +
              std::to_string(b.total) + (b.total == 1 ? " document" : " documents") +
              " not written to " + st.target + "; first: document " + std::to_string(f.index);
  if (!f.id.empty())
    text += " (id \"" + f.id + "\")";
  if (f.sent && f.status != 0)
    text += ": " + std::to_string(f.status) + "/" + std::to_string(f.substatus) + ": " + f.message;
  else if (f.sent) // no answer: a transport failure
    text += ": " + f.message;
  else
    text += " (not sent): " + f.message;
  return make_error(f.sent ? ec::http_error : ec::invalid_argument, std::move(text));
}

void answer(sink_ptr self, std::map<uint64_t, batch_entry>::iterator i) {
  auto& st = self->state;
  auto& b = i->second;
  if (b.failed == 0) {
    spdlog::debug("cosmos sink: batch {} written ({} documents)", b.label, b.total);
    b.promise.deliver(caf::ok_atom::value);
  } else {
    auto err = give_up_error(st, b);
    spdlog::warn("{}", error_text(err));
    b.promise.deliver(std::move(err));
  }
  st.batches.erase(i);
}

/// One document of a batch is done: written (no failure) or given up on.
void settle(sink_ptr self, uint64_t batch, std::optional<doc_failure> failure) {
  auto& st = self->state;
  auto i = st.batches.find(batch);
  if (i == st.batches.end())
    return;
  auto& b = i->second;
  if (failure) {
    ++b.failed;
    if (!b.first || failure->index < b.first->index)
      b.first = std::move(failure);
  }
  if (b.outstanding > 0)
    --b.outstanding;
  if (b.outstanding == 0)
    answer(self, i);
}

void fail(sink_ptr self, const sink_op& op, int status, int substatus, std::string message) {
  settle(self, op.batch, doc_failure{op.index, op.id, true, status, substatus, std::move(message)});
}

void dispatch(sink_ptr self);

void requeue_later(sink_ptr self, sink_op op, milliseconds delay) {
  run_later(self, delay, [self, op = std::move(op)]() mutable {
    if (self->state.stopping)
      return;
    self->state.ready.push_back(std::move(op));
    dispatch(self);
  });
}

milliseconds backoff_for(const cosmos_sink_state& st, uint32_t attempts, milliseconds least) {
  backoff_policy policy{st.cfg.retry.initial_backoff, st.cfg.retry.max_backoff};
  auto d = std::chrono::duration_cast<milliseconds>(
      backoff_delay(policy, attempts > 0 ? attempts - 1 : 0, st.cfg.jitter));
  return std::max(d, least);
}

uint32_t max_attempts(const cosmos_sink_state& st) {
  return std::max<uint32_t>(1, st.cfg.retry.max_attempts);
}

/// What happens to one operation that did not succeed. Sets `refresh` when the routing map is
/// to be read again.
void on_failure(sink_ptr self, sink_op op, const cosmos::retry_decision& decision, int status,
                int substatus, const std::string& message, bool& refresh) {
  auto& st = self->state;
  using cosmos::retry_action;
  auto out_of_attempts = [&] {
    if (++op.attempts < max_attempts(st))
      return false;
    fail(self, op, status, substatus, message + " (after " + attempts_text(op.attempts) + ")");
    return true;
  };
  switch (decision.action) {
  case retry_action::none:
  case retry_action::fail:
    fail(self, op, status, substatus, message + " (after " + attempts_text(op.attempts + 1) + ")");
    return;
  case retry_action::refresh_routing:
    if (out_of_attempts())
      return;
    refresh = true;
    st.ready.push_back(std::move(op)); // sent once the map is read again
    return;
  case retry_action::rebatch:
    if (out_of_attempts())
      return;
    op.alone = true;
    st.ready.push_back(std::move(op));
    return;
  case retry_action::retry:
  case retry_action::refresh_container:
  case retry_action::refresh_account:
    break;
  }
  if (status == 429 && substatus != 3092) {
    if (++op.throttles > st.cfg.max_throttle_retries) {
      fail(self, op, status, substatus,
           message + " (throttled " + std::to_string(op.throttles) + " times)");
      return;
    }
    spdlog::debug("cosmos sink: document {} of batch {} throttled, again in {} ms", op.index,
                  st.batches.count(op.batch) ? st.batches.at(op.batch).label : "?",
                  decision.delay.count());
    requeue_later(self, std::move(op), decision.delay);
    return;
  }
  if (out_of_attempts())
    return;
  auto delay = backoff_for(st, op.attempts, decision.delay);
  requeue_later(self, std::move(op), delay);
}

void refresh_routing(sink_ptr self) {
  auto& st = self->state;
  if (st.refreshing)
    return;
  st.refreshing = true;
  st.session->read_routing(self, [self](caf::expected<cosmos::routing_map> map) {
    auto& st = self->state;
    st.refreshing = false;
    if (map) {
      spdlog::info("cosmos sink: target {} has {} partition key ranges now", st.target,
                   map->size());
      st.routing = std::make_shared<const cosmos::routing_map>(std::move(*map));
    } else if (pool_gone(map.error())) {
      stop(self, map.error());
      return;
    } else {
      // The old map stays; operations meeting 410 again use up their attempts.
      spdlog::warn("cosmos sink: reading the ranges of {} failed: {}", st.target,
                   error_text(map.error()));
    }
    dispatch(self);
  });
}

void on_answer(sink_ptr self, std::vector<sink_op>& ops, caf::expected<http_response>& res) {
  bool refresh = false;
  if (!res) {
    if (pool_gone(res.error())) {
      stop(self, res.error());
      return;
    }
    // The session has retried transient transport failures already.
    auto message = "request failed: " + error_text(res.error());
    for (auto& op : ops)
      fail(self, op, 0, 0, message);
    return;
  }
  if (res->status == 200 || res->status == 207) {
    auto parsed = cosmos::parse_batch_response(*res, ops.size());
    if (parsed) {
      for (size_t i = 0; i < ops.size(); ++i) {
        auto& r = parsed->results[i];
        if (r.succeeded()) {
          settle(self, ops[i].batch, std::nullopt);
          continue;
        }
        auto decision = cosmos::classify(r);
        on_failure(self, std::move(ops[i]), decision, r.status, r.substatus,
                   without_status(decision.reason), refresh);
      }
    } else {
      cosmos::retry_decision decision{cosmos::retry_action::retry, cosmos::transient_delay,
                                      "bulk response"};
      auto message = "bulk response: " + error_text(parsed.error());
      for (auto& op : ops)
        on_failure(self, std::move(op), decision, res->status, 0, message, refresh);
    }
  } else {
    auto err = cosmos::parse_service_error(*res);
    cosmos::retry_decision decision;
    int substatus = 0;
    std::string message;
    if (err) {
      decision = cosmos::classify(*err);
      substatus = err->substatus();
      message = without_status(decision.reason);
      if (!err->message.empty())
        message += ": " + err->message.substr(0, 300);
    } else {
      decision = cosmos::classify(res->status, 0);
      message = without_status(decision.reason);
    }
    // A request too large for the service: each operation on its own, unless it was alone.
    if (res->status == 413 && ops.size() > 1)
      decision.action = cosmos::retry_action::rebatch;
    for (auto& op : ops)
      on_failure(self, std::move(op), decision, res->status, substatus, message, refresh);
  }
  if (refresh)
    refresh_routing(self);
}

void send_request(sink_ptr self, std::string range_id, std::vector<sink_op> group,
                  std::string body) {
  auto& st = self->state;
  ++st.in_flight;
  auto ops = std::make_shared<std::vector<sink_op>>(std::move(group));
  auto session = st.session;
  auto shared_body = std::make_shared<const std::string>(std::move(body));
  session->send(
      self,
      [session, range_id, shared_body] {
        return session->builder().bulk(session->container(), range_id, *shared_body);
      },
      [self, ops](caf::expected<http_response> res) {
        auto& st = self->state;
        --st.in_flight;
        if (st.stopping)
          return;
        on_answer(self, *ops, res);
        dispatch(self);
      });
}

/// Sends what is ready: per request the operations of one range (in queue order, up to 100
/// operations and the body budget), while fewer than max_in_flight requests are out.
void dispatch(sink_ptr self) {
  auto& st = self->state;
  if (st.stopping || !st.routing || st.refreshing)
    return;
  const cosmos::batch_limits limits;
  auto cap = std::max<uint32_t>(1, st.cfg.max_in_flight);
  while (st.in_flight < cap && !st.ready.empty()) {
    auto* range = st.routing->route(st.ready.front().epk);
    if (range == nullptr) {
      auto op = std::move(st.ready.front());
      st.ready.pop_front();
      settle(self, op.batch,
             doc_failure{op.index, op.id, false, 0, 0, "no partition key range holds its EPK"});
      continue;
    }
    auto range_id = range->id;
    std::vector<sink_op> group;
    std::deque<sink_op> rest;
    std::string body = "[";
    for (auto& op : st.ready) {
      auto* r = st.routing->route(op.epk);
      bool mine = r != nullptr && r->id == range_id;
      bool fits = group.empty() ||
                  (!group.front().alone && !op.alone && group.size() < limits.max_operations &&
                   body.size() + op.json.size() + 2 <= limits.max_body_bytes);
      if (!mine || !fits) {
        rest.push_back(std::move(op));
        continue;
      }
      if (!group.empty())
        body += ',';
      body += op.json;
      group.push_back(std::move(op));
    }
    body += ']';
    st.ready = std::move(rest);
    send_request(self, std::move(range_id), std::move(group), std::move(body));
  }
}

/// Prepares the documents of a batch and queues them.
void start(sink_ptr self, waiting_batch w) {
  auto& st = self->state;
  auto& docs = w.batch.documents;
  batch_entry entry;
  entry.label = label_of(w.batch);
  entry.total = docs.size();
  entry.outstanding = docs.size();
  entry.promise = std::move(w.promise);
  auto label = entry.label;
  auto it = st.batches.emplace(w.id, std::move(entry)).first;
  if (docs.empty()) {
    answer(self, it);
    return;
  }
  const cosmos::batch_limits limits;
  std::vector<sink_op> ops;
  std::vector<doc_failure> bad;
  std::map<std::string, size_t> latest; // key header + id -> index into ops
  size_t superseded = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    auto doc = prepare_sink_document(docs[i], st.definition);
    if (!doc) {
      bad.push_back({i, {}, false, 0, 0, error_text(doc.error())});
      continue;
    }
    auto epk = cosmos::effective_partition_key(doc->key, st.definition);
    if (!epk) {
      bad.push_back({i, doc->id, false, 0, 0, "partition key: " + error_text(epk.error())});
      continue;
    }
    auto dedup_key = cosmos::to_header(doc->key) + '\n' + doc->id;
    cosmos::batch_operation upsert;
    upsert.type = cosmos::operation_type::upsert;
    upsert.key = std::move(doc->key);
    upsert.resource_body = std::move(doc->body);
    auto json = cosmos::serialize(upsert);
    if (!json) {
      bad.push_back({i, doc->id, false, 0, 0, error_text(json.error())});
      continue;
    }
    if (json->size() > limits.max_operation_bytes) {
      bad.push_back({i, doc->id, false, 0, 0,
                     "too large: " + std::to_string(upsert.resource_body.size()) +
                         " bytes (Cosmos DB takes documents of at most 2 MB)"});
      continue;
    }
    sink_op op;
    op.batch = w.id;
    op.index = i;
    op.id = std::move(doc->id);
    op.epk = std::move(*epk);
    op.json = std::move(*json);
    auto [pos, fresh] = latest.try_emplace(std::move(dedup_key), ops.size());
    if (fresh) {
      ops.push_back(std::move(op));
    } else {
      // The later version replaces the earlier one, which counts as written with it.
      ops[pos->second] = std::move(op);
      ++superseded;
    }
  }
  if (superseded > 0)
    spdlog::debug("cosmos sink: batch {} has {} documents twice; their later versions go", label,
                  superseded);
  auto& b = it->second;
  b.outstanding -= superseded; // ops.size() + bad.size() remain
  for (auto& op : ops)
    st.ready.push_back(std::move(op));
  // Bad documents settle after the others are queued, so the batch cannot be answered early.
  for (auto& f : bad)
    settle(self, w.id, std::move(f));
  dispatch(self);
}

void fail_waiting(sink_ptr self, const caf::error& err) {
  auto& st = self->state;
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  for (auto& w : waiting) {
    auto e = make_error(err.category() == error_category() ? static_cast<ec>(err.code())
                                                           : ec::http_error,
                        "cosmos sink cannot write batch " + label_of(w.batch) + " to " + st.target +
                            ": " + error_text(err));
    spdlog::warn("{}", error_text(e));
    w.promise.deliver(std::move(e));
  }
}

void open_target(sink_ptr self) {
  auto& st = self->state;
  if (st.opening)
    return;
  st.opening = true;
  st.session->open(
      self, st.cfg.create_if_missing, [self](caf::expected<cosmos_container_info> info) {
        auto& st = self->state;
        st.opening = false;
        if (!info) {
          if (pool_gone(info.error())) {
            stop(self, info.error());
            return;
          }
          fail_waiting(self, info.error()); // the next batch tries again
          return;
        }
        st.definition = info->properties.partition_key;
        st.routing = std::make_shared<const cosmos::routing_map>(std::move(info->routing));
        st.open = true;
        spdlog::info("cosmos sink: writing to {}{} ({} partition key ranges)", st.target,
                     info->created ? " (created)" : "", st.routing->size());
        auto waiting = std::move(st.waiting);
        st.waiting.clear();
        for (auto& w : waiting)
          start(self, std::move(w));
      });
}

caf::behavior cosmos_sink_actor(sink_ptr self, cosmos_sink_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  st.target = cfg.spec.target.database + "/" + cfg.spec.target.container;
  cosmos_session_options options;
  options.max_attempts = std::max<uint32_t>(1, cfg.retry.max_attempts);
  options.initial_backoff = cfg.retry.initial_backoff;
  options.max_backoff = std::max(cfg.retry.max_backoff, cfg.retry.initial_backoff);
  if (auto builder = make_request_builder(cfg.account)) {
    st.session = cosmos_container_session::make(
        std::move(*builder), cfg.pool, {cfg.spec.target.database, cfg.spec.target.container},
        options);
  } else {
    st.setup_error = std::move(builder.error());
    spdlog::error("cosmos sink: {}", error_text(st.setup_error));
  }
  st.cfg = std::move(cfg);
  caf::message_handler own{
      [self](sink_deliver_atom, change_batch& batch) -> caf::result<caf::ok_atom> {
        auto& st = self->state;
        if (st.setup_error)
          return make_error(static_cast<ec>(st.setup_error.code()),
                            "cosmos sink cannot write batch " + label_of(batch) + ": " +
                                error_text(st.setup_error));
        waiting_batch w{st.next_batch++, self->make_response_promise(), std::move(batch)};
        if (st.open) {
          start(self, std::move(w));
        } else {
          st.waiting.push_back(std::move(w));
          open_target(self);
        }
        return caf::delegated<caf::ok_atom>{};
      },
  };
  return own.or_else(deferred_calls());
}

} // namespace

feed_sink_actor spawn_cosmos_sink(caf::actor_system& sys, cosmos_sink_config config) {
  return caf::actor_cast<feed_sink_actor>(sys.spawn(cosmos_sink_actor, std::move(config)));
}

feed_sink_actor spawn_cosmos_sink(caf::local_actor* parent, cosmos_sink_config config) {
  return caf::actor_cast<feed_sink_actor>(parent->spawn(cosmos_sink_actor, std::move(config)));
}

} // namespace bulkd
