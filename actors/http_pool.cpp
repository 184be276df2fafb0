#include "actors/http_pool.hpp"

#include "actors/http_transport.hpp"
#include "actors/http_worker.hpp"
#include "clients/error.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <deque>
#include <vector>

namespace bulkd {

namespace {

using promise_type = caf::typed_response_promise<http_response>;

struct slot {
  http_worker_actor worker;
  std::shared_ptr<http_transport> transport;
  promise_type promise; // pending while busy
  std::string what;     // the request in flight, for error messages
  bool busy = false;
  bool ready = false;      // alive and past its restart backoff
  uint64_t generation = 0; // incremented when the worker dies; stale answers are ignored
  unsigned failures = 0;   // deaths since the last completed request
};

struct waiting {
  http_request req;
  promise_type promise;
};

struct http_pool_state {
  http_pool_config config;
  std::vector<slot> slots;
  std::vector<size_t> idle; // LIFO: the most recently used worker has a warm connection
  std::deque<waiting> queue;
  http_pool_stats stats;
  uint64_t connections_of_dead = 0;
  bool stopping = false;

  static inline const char* name = "http_pool";

  ~http_pool_state() {
    for (auto& s : slots)
      if (s.transport)
        s.transport->cancel();
  }
};

using pool_ptr = http_pool_actor::stateful_pointer<http_pool_state>;

std::chrono::milliseconds backoff(unsigned failures) {
  if (failures <= 1)
    return std::chrono::milliseconds{0};
  auto exp = std::min(failures - 2, 6u);
  return std::min(std::chrono::milliseconds{2000}, std::chrono::milliseconds{50} * (1 << exp));
}

// An error that means the worker is gone, as opposed to a transport error it returned.
bool worker_died(const caf::error& err) {
  return err.category() != error_category() ||
         err.code() == static_cast<uint8_t>(ec::worker_failed);
}

void spawn_worker(pool_ptr self, size_t i) {
  auto& s = self->state.slots[i];
  s.transport = std::make_shared<http_transport>(http_transport_options{
      self->state.config.connect_timeout, self->state.config.connections_per_worker});
  s.worker = self->spawn<caf::detached>(http_worker, s.transport, self->state.config.before_send);
  self->monitor(s.worker);
}

void dispatch(pool_ptr self, size_t i, http_request req, promise_type promise);

void make_idle(pool_ptr self, size_t i) {
  auto& st = self->state;
  if (!st.queue.empty()) {
    auto next = std::move(st.queue.front());
    st.queue.pop_front();
    --st.stats.queued;
    dispatch(self, i, std::move(next.req), std::move(next.promise));
    return;
  }
  st.idle.push_back(i);
}

void settle(pool_ptr self, slot& s) {
  s.busy = false;
  s.what.clear();
  --self->state.stats.in_flight;
}

void dispatch(pool_ptr self, size_t i, http_request req, promise_type promise) {
  auto& st = self->state;
  auto& s = st.slots[i];
  s.busy = true;
  s.promise = std::move(promise);
  s.what = describe(req);
  st.stats.in_flight++;
  st.stats.max_in_flight = std::max(st.stats.max_in_flight, st.stats.in_flight);
  auto generation = s.generation;
  self->request(s.worker, caf::infinite, http_atom::value, std::move(req))
      .then(
          [self, i, generation](http_response& res) {
            auto& s = self->state.slots[i];
            if (s.generation != generation || !s.busy)
              return;
            s.promise.deliver(std::move(res));
            ++self->state.stats.completed;
            s.failures = 0;
            settle(self, s);
            make_idle(self, i);
          },
          [self, i, generation](caf::error& err) {
            auto& s = self->state.slots[i];
            if (s.generation != generation || !s.busy)
              return;
            auto died = worker_died(err);
            if (died && err.category() != error_category())
              err = make_error(ec::worker_failed,
                               "http worker died during " + s.what + ": " + render(err));
            s.promise.deliver(std::move(err));
            ++self->state.stats.errors;
            settle(self, s);
            if (died)
              s.ready = false; // the down handler restarts it
            else
              make_idle(self, i);
          });
}

void on_worker_down(pool_ptr self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto it = std::find_if(st.slots.begin(), st.slots.end(), [&](const slot& s) {
    return s.worker && s.worker.address() == dm.source;
  });
  if (it == st.slots.end())
    return;
  auto i = static_cast<size_t>(it - st.slots.begin());
  auto& s = *it;
  if (s.busy) {
    s.promise.deliver(make_error(ec::worker_failed,
                                 "http worker died during " + s.what + ": " + render(dm.reason)));
    ++st.stats.errors;
    settle(self, s);
  }
  std::erase(st.idle, i);
  st.connections_of_dead += s.transport->connections_opened();
  s.worker = nullptr;
  s.transport = nullptr;
  s.ready = false;
  ++s.generation;
  if (st.stopping)
    return;
  ++s.failures;
  ++st.stats.restarts;
  spawn_worker(self, i);
  auto generation = s.generation;
  self->request(s.worker, caf::infinite, http_ready_atom::value, backoff(s.failures))
      .then(
          [self, i, generation](http_ready_atom) {
            auto& s = self->state.slots[i];
            if (s.generation != generation || s.ready)
              return;
            s.ready = true;
            make_idle(self, i);
          },
          [](caf::error&) {
            // The worker died again; its down message restarts it.
          });
}

void shut_down(pool_ptr self, const caf::error& reason) {
  auto& st = self->state;
  if (st.stopping)
    return;
  st.stopping = true;
  std::string why = "normal exit";
  if (reason.category() == caf::atom("exit"))
    why = caf::to_string(static_cast<caf::exit_reason>(reason.code()));
  else if (reason)
    why = render(reason);
  for (auto& w : st.queue) {
    w.promise.deliver(make_error(
        ec::shutting_down, describe(w.req) + ": not sent, the HTTP pool stopped (" + why + ")"));
    ++st.stats.errors;
  }
  st.queue.clear();
  st.stats.queued = 0;
  for (auto& s : st.slots) {
    if (s.busy) {
      s.promise.deliver(make_error(ec::shutting_down,
                                   s.what + ": cancelled, the HTTP pool stopped (" + why + ")"));
      ++st.stats.errors;
      settle(self, s);
    }
    if (s.transport)
      s.transport->cancel();
    if (s.worker)
      self->send_exit(s.worker, caf::exit_reason::user_shutdown);
  }
}

http_pool_actor::behavior_type http_pool(pool_ptr self, http_pool_config config) {
  auto& st = self->state;
  config.workers = std::max<size_t>(config.workers, 1);
  st.config = std::move(config);
  st.stats.workers = st.config.workers;
  st.slots.resize(st.config.workers);
  for (size_t i = 0; i < st.slots.size(); ++i) {
    spawn_worker(self, i);
    st.slots[i].ready = true;
  }
  for (size_t i = st.slots.size(); i > 0; --i)
    st.idle.push_back(i - 1);
  self->set_down_handler([self](caf::down_msg& dm) { on_worker_down(self, dm); });
  // Workers are monitored, not linked: an exit message always means "stop".
  self->set_exit_handler([self](caf::exit_msg& em) {
    shut_down(self, em.reason);
    self->quit(em.reason);
  });
  self->set_exception_handler([self](std::exception_ptr& e) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      what = x.what();
    } catch (...) {
    }
    auto err = make_error(ec::worker_failed, "http pool failed: " + what);
    shut_down(self, err);
    return err;
  });
  return {
      [self](http_atom, http_request& req) -> caf::result<http_response> {
        auto& st = self->state;
        ++st.stats.requests;
        if (st.stopping) {
          ++st.stats.errors;
          return make_error(ec::shutting_down, describe(req) + ": the HTTP pool is shutting down");
        }
        if (!st.idle.empty()) {
          auto i = st.idle.back();
          st.idle.pop_back();
          auto promise = self->make_response_promise<http_response>();
          dispatch(self, i, std::move(req), promise);
          return promise;
        }
        if (st.queue.size() >= st.config.queue_capacity) {
          ++st.stats.overloaded;
          return make_error(ec::overloaded, describe(req) + ": HTTP pool overloaded (" +
                                                std::to_string(st.stats.in_flight) +
                                                " in flight, " + std::to_string(st.queue.size()) +
                                                " waiting)");
        }
        auto promise = self->make_response_promise<http_response>();
        st.queue.push_back(waiting{std::move(req), promise});
        ++st.stats.queued;
        st.stats.max_queued = std::max(st.stats.max_queued, st.stats.queued);
        return promise;
      },
      [self](http_stats_atom) -> http_pool_stats {
        auto& st = self->state;
        auto stats = st.stats;
        stats.connections = st.connections_of_dead;
        for (auto& s : st.slots)
          if (s.transport)
            stats.connections += s.transport->connections_opened();
        return stats;
      },
  };
}

} // namespace

http_pool_actor spawn_http_pool(caf::actor_system& sys, http_pool_config config) {
  return sys.spawn(http_pool, std::move(config));
}

http_pool_actor spawn_http_pool(caf::local_actor* parent, http_pool_config config) {
  return parent->spawn(http_pool, std::move(config));
}

} // namespace bulkd
