#include "actors/change_feed/http_sink_actor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/http_sink_policy.hpp"
#include "jobs/error_text.hpp"

#include <caf/actor_system.hpp>
#include <caf/local_actor.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <optional>

namespace bulkd {

namespace {

using http_sink_retry_atom = caf::atom_constant<caf::atom("hsink_rtry")>;

using http_sink_impl = feed_sink_actor::extend<caf::reacts_to<http_sink_retry_atom, uint64_t>>;

struct pending_post {
  http_request req;
  std::string label; // "<range>#<sequence>"
  caf::typed_response_promise<caf::ok_atom> promise;
  uint32_t attempts = 0;
};

using pending_ptr = std::shared_ptr<pending_post>;

struct http_sink_state {
  http_sink_config cfg;
  std::optional<http_request> tmpl; // empty when the spec is bad: every batch fails with
  caf::error spec_error;            // this error
  std::vector<std::string> secrets;
  std::map<uint64_t, pending_ptr> waiting; // batches between two attempts
  uint64_t next_id = 0;

  static inline const char* name = "http_sink";
};

using sink_ptr = http_sink_impl::stateful_pointer<http_sink_state>;

std::string attempts_text(uint32_t n) {
  return std::to_string(n) + (n == 1 ? " attempt" : " attempts");
}

std::string answer_text(http_sink_state& st, const pending_post& p, const http_response& res,
                        std::string_view note = {}) {
  auto text = describe(p.req) + " answered " + std::to_string(res.status) + std::string{note};
  auto excerpt = body_excerpt(res.body, st.secrets);
  if (!excerpt.empty())
    text += ": " + excerpt;
  return text;
}

bool pool_gone(const caf::error& err) {
  return (err.category() == error_category() &&
          err.code() == static_cast<uint8_t>(ec::shutting_down)) ||
         err == caf::sec::request_receiver_down;
}

void send(sink_ptr self, pending_ptr p);

void retry_later(sink_ptr self, pending_ptr p, std::optional<std::chrono::milliseconds> wish,
                 const std::string& why) {
  auto& st = self->state;
  caf::timespan delay;
  if (wish) {
    delay = *wish;
  } else {
    backoff_policy policy{st.cfg.spec.retry.initial_backoff, st.cfg.spec.retry.max_backoff};
    delay = backoff_delay(policy, p->attempts - 1, st.cfg.jitter);
  }
  spdlog::debug("http sink: batch {} attempt {} failed, retrying in {} ms{}: {}", p->label,
                p->attempts, std::chrono::duration_cast<std::chrono::milliseconds>(delay).count(),
                wish ? " (Retry-After)" : "", why);
  auto id = st.next_id++;
  st.waiting.emplace(id, std::move(p));
  self->delayed_send(self, delay, http_sink_retry_atom::value, id);
}

void give_up(pending_post& p, caf::error err) {
  spdlog::warn("{}", error_text(err));
  p.promise.deliver(std::move(err));
}

bool attempts_left(http_sink_state& st, const pending_post& p) {
  return p.attempts < std::max<uint32_t>(1, st.cfg.spec.retry.max_attempts);
}

void on_response(sink_ptr self, pending_ptr p, const http_response& res) {
  auto& st = self->state;
  auto now = st.cfg.now ? st.cfg.now() : std::chrono::system_clock::now();
  auto decision = classify_http_sink_response(res, now);
  switch (decision.verdict) {
  case sink_verdict::ack:
    p->promise.deliver(caf::ok_atom::value);
    return;
  case sink_verdict::fail:
    give_up(*p, make_error(ec::http_error, "http sink failed batch " + p->label + ": " +
                                               answer_text(st, *p, res, " (not retried)")));
    return;
  case sink_verdict::retry:
    if (!attempts_left(st, *p)) {
      give_up(*p, make_error(ec::http_error, "http sink gave up on batch " + p->label + " after " +
                                                 attempts_text(p->attempts) + ": " +
                                                 answer_text(st, *p, res)));
      return;
    }
    retry_later(self, std::move(p), decision.retry_after, "status " + std::to_string(res.status));
    return;
  }
}

void on_error(sink_ptr self, pending_ptr p, const caf::error& err) {
  auto& st = self->state;
  if (pool_gone(err)) {
    spdlog::info("http sink: abandons batch {} and stops: {}", p->label, error_text(err));
    self->quit(err);
    return;
  }
  auto code = err.category() == error_category() ? static_cast<ec>(err.code()) : ec::http_error;
  if (classify_http_sink_error(err) == sink_verdict::fail) {
    give_up(*p, make_error(code, "http sink failed batch " + p->label + ": " + error_text(err)));
    return;
  }
  if (!attempts_left(st, *p)) {
    give_up(*p, make_error(code, "http sink gave up on batch " + p->label + " after " +
                                     attempts_text(p->attempts) + ": " + error_text(err)));
    return;
  }
  retry_later(self, std::move(p), std::nullopt, error_text(err));
}

void send(sink_ptr self, pending_ptr p) {
  ++p->attempts;
  self->request(self->state.cfg.pool, caf::infinite, http_atom::value, p->req)
      .then([self, p](http_response& res) { on_response(self, p, res); },
            [self, p](caf::error& err) { on_error(self, p, err); });
}

http_sink_impl::behavior_type http_sink_actor(sink_ptr self, http_sink_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  st.cfg = std::move(cfg);
  if (auto tmpl = http_sink_request_template(st.cfg.spec)) {
    st.tmpl = std::move(*tmpl);
  } else {
    st.spec_error = std::move(tmpl.error());
    spdlog::error("{}", error_text(st.spec_error));
  }
  st.secrets = http_sink_secrets(st.cfg.spec);
  return {
      [self](sink_deliver_atom, const change_batch& batch) -> caf::result<caf::ok_atom> {
        auto& st = self->state;
        if (!st.tmpl)
          return st.spec_error;
        auto p = std::make_shared<pending_post>();
        p->req = http_sink_request(*st.tmpl, batch);
        p->label = batch.range_id + "#" + std::to_string(batch.sequence);
        p->promise = self->make_response_promise<caf::ok_atom>();
        auto promise = p->promise;
        send(self, std::move(p));
        return promise;
      },
      [self](http_sink_retry_atom, uint64_t id) {
        auto i = self->state.waiting.find(id);
        if (i == self->state.waiting.end())
          return;
        auto p = std::move(i->second);
        self->state.waiting.erase(i);
        send(self, std::move(p));
      },
  };
}

} // namespace

feed_sink_actor spawn_http_sink(caf::actor_system& sys, http_sink_config config) {
  return sys.spawn(http_sink_actor, std::move(config));
}

feed_sink_actor spawn_http_sink(caf::local_actor* parent, http_sink_config config) {
  return parent->spawn(http_sink_actor, std::move(config));
}

} // namespace bulkd
