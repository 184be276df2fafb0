#include "actors/bulk_upsert/range_worker_actor.hpp"

#include "actors/backoff.hpp"
#include "actors/bulk_upsert/bulk_messages.hpp"
#include "actors/bulk_upsert/bulk_operation.hpp"
#include "actors/cosmos_container_session.hpp"
#include "actors/exception_handler.hpp"
#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/error_classification.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/error.hpp"
#include "jobs/bulk_upsert/adaptive_concurrency.hpp"
#include "jobs/token_bucket.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/result.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

namespace bulkd {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct pending_op {
  input_position at;
  std::string id;
  cosmos::partition_key key;
  bulk_operation op;
  uint32_t attempts = 0;  // failed sends (throttles not counted)
  uint32_t throttles = 0; // 429 answers
  uint8_t shrink = 0;     // batches of batch >> shrink operations (after 413/3402)
  bool first = true;      // not sent yet: counts for the reader's credit
};

struct range_worker_state {
  range_worker_config cfg;
  std::deque<pending_op> ready;
  std::multimap<clock_type::time_point, pending_op> delayed;
  std::optional<clock_type::time_point> timer_at;
  uint32_t in_flight = 0;
  std::optional<adaptive_concurrency> adaptive;
  // Credit: a reader batch is answered once every record up to its end was taken.
  std::deque<std::pair<uint64_t, caf::response_promise>> acks;
  uint64_t received = 0;
  uint64_t taken = 0;
  clock_type::time_point paused_until{};
  bool retired = false;
  bool failed = false; // quitting after a transport error that no retry fixes
  std::optional<token_bucket> budget;
  double charge_per_op = 10; // running estimate for the budget

  static inline const char* name = "bulk_range_worker";
};

using worker_ptr = caf::stateful_actor<range_worker_state>*;

void dispatch(worker_ptr self);

void release_acks(worker_ptr self) {
  auto& st = self->state;
  while (!st.acks.empty() && st.acks.front().first <= st.taken) {
    st.acks.front().second.deliver(caf::ok_atom::value);
    st.acks.pop_front();
  }
}

void take(worker_ptr self, pending_op& op) {
  if (op.first) {
    op.first = false;
    ++self->state.taken;
  }
}

input_record to_record(pending_op& op) {
  input_record rec;
  rec.at = op.at;
  rec.document = std::string{op.op.record()};
  rec.id = std::move(op.id);
  rec.key = std::move(op.key);
  return rec;
}

void reroute(worker_ptr self, std::vector<pending_op> ops) {
  if (ops.empty())
    return;
  reroute_records msg;
  msg.range_id = self->state.cfg.range_id;
  for (auto& op : ops) {
    take(self, op);
    msg.attempts.push_back(op.attempts);
    msg.records.push_back(to_record(op));
  }
  self->send(self->state.cfg.job, std::move(msg));
}

failed_record make_failed(const pending_op& op, int status, int substatus, std::string message) {
  return failed_record{
      op.at, status, substatus, std::move(message), op.id, std::string{op.op.record()}};
}

void add_records(worker_ptr self, const std::vector<input_record>& records,
                 const std::vector<uint32_t>* attempts) {
  auto& st = self->state;
  settled_batch rejected;
  std::vector<pending_op> forward;
  for (size_t i = 0; i < records.size(); ++i) {
    auto& rec = records[i];
    auto op = make_bulk_operation(rec, st.cfg.operation, st.cfg.patch);
    pending_op p;
    p.at = rec.at;
    p.id = rec.id;
    p.key = rec.key;
    p.first = attempts == nullptr;
    if (attempts != nullptr && i < attempts->size())
      p.attempts = (*attempts)[i];
    if (!op) {
      take(self, p);
      rejected.failed.push_back(
          failed_record{rec.at, 400, 0, render(op.error()), rec.id, rec.document});
      continue;
    }
    p.op = std::move(*op);
    if (st.retired)
      forward.push_back(std::move(p));
    else
      st.ready.push_back(std::move(p));
  }
  if (!rejected.failed.empty())
    self->send(st.cfg.job, std::move(rejected));
  reroute(self, std::move(forward));
}

void arm_timer(worker_ptr self, clock_type::time_point at) {
  auto& st = self->state;
  if (st.timer_at && *st.timer_at <= at)
    return;
  st.timer_at = at;
  auto delay = std::chrono::duration_cast<milliseconds>(at - clock_type::now()) + milliseconds{1};
  run_later(self, std::max(delay, milliseconds{0}), [self, at] {
    auto& st = self->state;
    if (st.timer_at != at)
      return; // superseded by an earlier timer
    st.timer_at.reset();
    auto now = clock_type::now();
    // Due retries go first, in due order.
    std::vector<pending_op> due;
    while (!st.delayed.empty() && st.delayed.begin()->first <= now) {
      due.push_back(std::move(st.delayed.begin()->second));
      st.delayed.erase(st.delayed.begin());
    }
    for (auto i = due.rbegin(); i != due.rend(); ++i)
      st.ready.push_front(std::move(*i));
    if (!st.delayed.empty())
      arm_timer(self, st.delayed.begin()->first);
    dispatch(self);
  });
}

void retry_later(worker_ptr self, pending_op op, milliseconds delay) {
  auto at = clock_type::now() + delay;
  self->state.delayed.emplace(at, std::move(op));
  arm_timer(self, at);
}

uint32_t limit(worker_ptr self) {
  auto& st = self->state;
  return std::min(st.adaptive->limit(), st.cfg.max_in_flight);
}

milliseconds backoff_for(const range_worker_config& cfg, uint32_t attempt, milliseconds least) {
  backoff_policy policy{cfg.retry.initial_backoff, cfg.retry.max_backoff};
  auto d = std::chrono::duration_cast<milliseconds>(
      backoff_delay(policy, attempt > 0 ? attempt - 1 : 0, {}));
  return std::max(d, least);
}

struct outcome {
  settled_batch settled;
  std::vector<pending_op> reroute;
  std::vector<pending_op> rebatch; // back to the front of the queue, in order
  bool throttled = false;
};

/// Decides what happens to one operation that did not succeed.
void on_failure(worker_ptr self, pending_op op, const cosmos::retry_decision& decision, int status,
                int substatus, const std::string& message, outcome& out) {
  auto& cfg = self->state.cfg;
  using cosmos::retry_action;
  auto fail = [&](const std::string& why) {
    out.settled.failed.push_back(make_failed(op, status, substatus, why));
  };
  switch (decision.action) {
  case retry_action::none:
  case retry_action::fail:
    fail(message);
    return;
  case retry_action::refresh_routing:
    if (++op.attempts >= cfg.retry.max_attempts) {
      fail(message + " (after " + std::to_string(op.attempts) + " attempts)");
      return;
    }
    out.reroute.push_back(std::move(op));
    return;
  case retry_action::rebatch:
    if (++op.attempts >= cfg.retry.max_attempts) {
      fail(message + " (after " + std::to_string(op.attempts) + " attempts)");
      return;
    }
    ++out.settled.rebatches;
    ++out.settled.retries;
    op.shrink = static_cast<uint8_t>(std::min<int>(op.shrink + 1, 7));
    out.rebatch.push_back(std::move(op));
    return;
  case retry_action::retry:
  case retry_action::refresh_container:
  case retry_action::refresh_account:
    break;
  }
  if (self->state.retired) {
    out.reroute.push_back(std::move(op));
    return;
  }
  if (status == 429 && substatus != 3092) {
    out.throttled = true;
    ++out.settled.throttles;
    if (++op.throttles > cfg.max_throttle_retries) {
      fail(message + " (throttled " + std::to_string(op.throttles) + " times)");
      return;
    }
    ++out.settled.retries;
    retry_later(self, std::move(op), decision.delay);
    return;
  }
  if (++op.attempts >= cfg.retry.max_attempts) {
    fail(message + " (after " + std::to_string(op.attempts) + " attempts)");
    return;
  }
  ++out.settled.retries;
  auto delay = backoff_for(cfg, op.attempts, decision.delay);
  retry_later(self, std::move(op), delay);
}

void finish(worker_ptr self, outcome& out) {
  auto& st = self->state;
  auto now = clock_type::now();
  if (out.throttled)
    st.adaptive->on_throttle(now);
  else
    st.adaptive->on_success(now);
  for (auto i = out.rebatch.rbegin(); i != out.rebatch.rend(); ++i)
    st.ready.push_front(std::move(*i));
  reroute(self, std::move(out.reroute));
  if (!out.settled.written.empty() || !out.settled.failed.empty() || out.settled.retries > 0 ||
      out.settled.request_charge > 0)
    self->send(st.cfg.job, std::move(out.settled));
}

void on_response(worker_ptr self, std::vector<pending_op>& ops, http_response& res) {
  outcome out;
  if (res.status == 200 || res.status == 207) {
    auto parsed = cosmos::parse_batch_response(res, ops.size());
    if (parsed) {
      out.settled.request_charge = parsed->meta.request_charge;
      for (size_t i = 0; i < ops.size(); ++i) {
        auto& r = parsed->results[i];
        if (r.succeeded()) {
          out.settled.written.push_back(ops[i].at);
          continue;
        }
        auto decision = cosmos::classify(r);
        on_failure(self, std::move(ops[i]), decision, r.status, r.substatus, decision.reason, out);
      }
      finish(self, out);
      return;
    }
    // A body that does not parse: the whole request counts as a transient failure.
    auto decision = cosmos::classify(500, 0);
    auto msg = "bulk response: " + render(parsed.error());
    for (auto& op : ops)
      on_failure(self, std::move(op), decision, 500, 0, msg, out);
    finish(self, out);
    return;
  }
  auto err = cosmos::parse_service_error(res);
  cosmos::retry_decision decision;
  int substatus = 0;
  std::string message;
  if (err) {
    decision = cosmos::classify(*err);
    substatus = err->substatus();
    out.settled.request_charge = err->meta.request_charge;
    message = decision.reason + (err->message.empty() ? "" : ": " + err->message);
  } else {
    decision = cosmos::classify(res.status, 0);
    message = decision.reason;
  }
  // A request too large for the service: split it, unless it held a single operation.
  if (res.status == 413 && ops.size() > 1)
    decision.action = cosmos::retry_action::rebatch;
  for (auto& op : ops)
    on_failure(self, std::move(op), decision, res.status, substatus, message, out);
  finish(self, out);
}

void on_transport_error(worker_ptr self, std::vector<pending_op>& ops, const caf::error& err) {
  if (!transient_transport_error(err)) {
    // Every request would fail the same way: fail the run (the job sees this worker go down)
    // instead of dead-lettering every record; the records stay unsettled for the rerun.
    self->state.failed = true;
    self->quit(err);
    return;
  }
  outcome out;
  cosmos::retry_decision decision{cosmos::retry_action::retry, cosmos::transient_delay,
                                  "request failed"};
  auto message = "request failed: " + render(err);
  for (auto& op : ops)
    on_failure(self, std::move(op), decision, 0, 0, message, out);
  finish(self, out);
}

void settle_charge(worker_ptr self, double estimate, size_t ops, double charge) {
  auto& st = self->state;
  if (!st.budget)
    return;
  st.budget->spend(charge - estimate, clock_type::now());
  if (charge > 0 && ops > 0)
    st.charge_per_op = 0.8 * st.charge_per_op + 0.2 * (charge / static_cast<double>(ops));
}

double charge_of(const http_response& res) {
  auto v = res.headers.find("x-ms-request-charge");
  if (v == nullptr)
    return 0;
  try {
    return std::stod(*v);
  } catch (const std::exception&) {
    return 0;
  }
}

void send_batch(worker_ptr self, std::vector<pending_op> ops, std::string body) {
  auto& st = self->state;
  ++st.in_flight;
  double estimate = 0;
  if (st.budget) {
    estimate = st.charge_per_op * static_cast<double>(ops.size());
    st.budget->spend(estimate, clock_type::now());
  }
  auto req = st.cfg.builder->bulk(st.cfg.container, st.cfg.range_id, std::move(body));
  auto shared = std::make_shared<std::vector<pending_op>>(std::move(ops));
  self->request(st.cfg.pool, caf::infinite, http_atom::value, std::move(req))
      .then(
          [self, shared, estimate](http_response& res) {
            --self->state.in_flight;
            settle_charge(self, estimate, shared->size(), charge_of(res));
            on_response(self, *shared, res);
            dispatch(self);
          },
          [self, shared, estimate](caf::error& err) {
            --self->state.in_flight;
            settle_charge(self, estimate, 0, 0);
            on_transport_error(self, *shared, err);
            dispatch(self);
          });
}

void dispatch(worker_ptr self) {
  auto& st = self->state;
  if (st.failed)
    return;
  if (st.retired) {
    std::vector<pending_op> all;
    for (auto& op : st.ready)
      all.push_back(std::move(op));
    st.ready.clear();
    for (auto& [at, op] : st.delayed)
      all.push_back(std::move(op));
    st.delayed.clear();
    reroute(self, std::move(all));
    release_acks(self);
    return;
  }
  auto now = clock_type::now();
  if (now < st.paused_until) {
    if (!st.ready.empty())
      arm_timer(self, st.paused_until);
    return;
  }
  while (st.in_flight < limit(self) && !st.ready.empty()) {
    if (st.budget) {
      auto wait = st.budget->wait_time(now);
      if (wait.count() > 0) {
        arm_timer(self, now + wait);
        break;
      }
    }
    std::vector<pending_op> ops;
    std::string body = "[";
    size_t max_ops = std::max<uint32_t>(1, st.cfg.batch >> st.ready.front().shrink);
    while (!st.ready.empty() && ops.size() < max_ops) {
      auto& next = st.ready.front();
      max_ops = std::min<size_t>(max_ops, std::max<uint32_t>(1, st.cfg.batch >> next.shrink));
      if (ops.size() >= max_ops)
        break;
      auto len = next.op.json.size() + 1;
      if (!ops.empty() && body.size() + len + 1 > st.cfg.max_body_bytes)
        break;
      if (!ops.empty())
        body += ',';
      body += next.op.json;
      take(self, next);
      ops.push_back(std::move(next));
      st.ready.pop_front();
    }
    body += ']';
    send_batch(self, std::move(ops), std::move(body));
  }
  release_acks(self);
}

caf::behavior range_worker(worker_ptr self, range_worker_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  st.adaptive.emplace(std::max<uint32_t>(1, std::min(cfg.initial_in_flight, cfg.max_in_flight)),
                      std::max<uint32_t>(1, cfg.max_in_flight), clock_type::now());
  if (cfg.max_ru_per_second > 0)
    st.budget.emplace(cfg.max_ru_per_second, cfg.max_ru_per_second, clock_type::now());
  st.cfg = std::move(cfg);
  return caf::message_handler{
      [=](const std::vector<input_record>& records) -> caf::result<caf::ok_atom> {
        auto& st = self->state;
        st.received += records.size();
        st.acks.emplace_back(st.received, self->make_response_promise());
        add_records(self, records, nullptr);
        dispatch(self);
        return caf::delegated<caf::ok_atom>{};
      },
      [=](const injected_records& msg) {
        add_records(self, msg.records, &msg.attempts);
        dispatch(self);
      },
      [=](pause_atom, milliseconds duration) {
        self->state.paused_until = clock_type::now() + duration;
      },
      [=](in_flight_atom, uint32_t cap) {
        self->state.cfg.max_in_flight = std::max<uint32_t>(1, cap);
        dispatch(self);
      },
      [=](in_flight_query_atom) { return static_cast<uint64_t>(self->state.in_flight); },
      [=](retire_atom) {
        self->state.retired = true;
        dispatch(self);
      },
  }
      .or_else(deferred_calls());
}

} // namespace

caf::actor spawn_range_worker(caf::local_actor* parent, range_worker_config config) {
  return parent->spawn(range_worker, std::move(config));
}

} // namespace bulkd
