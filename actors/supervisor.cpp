#include "actors/supervisor.hpp"

#include "clients/error.hpp"

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace bulkd {

namespace {

using restart_atom = caf::atom_constant<caf::atom("sv_restart")>;
using stop_timeout_atom = caf::atom_constant<caf::atom("sv_stop_to")>;

// Timer id that addresses every child being stopped (parallel stop).
constexpr uint64_t all_children = 0;

std::string format_span(caf::timespan x) {
  using namespace std::chrono;
  if (x.count() % duration_cast<nanoseconds>(seconds{1}).count() == 0)
    return std::to_string(duration_cast<seconds>(x).count()) + " s";
  return std::to_string(duration_cast<milliseconds>(x).count()) + " ms";
}

} // namespace

supervisor::supervisor(caf::event_based_actor* self) : self_(self) {
  options_.jitter = random_jitter();
  on_stopped_ = [self](const caf::error& reason) { self->quit(reason); };
}

void supervisor::configure(supervisor_options options) {
  options_ = std::move(options);
  if (!options_.jitter)
    options_.jitter = random_jitter();
}

void supervisor::on_stopped(std::function<void(const caf::error&)> fn) {
  on_stopped_ = std::move(fn);
}

caf::expected<caf::actor> supervisor::start(child_spec spec) {
  if (stopping_)
    return make_error(ec::shutting_down, "cannot start child " + spec.name + " while stopping");
  child c{next_id_++, std::move(spec),  {}, phase::running, restart_window{options_.intensity}, {},
          0,          caf::timespan{0}, {}};
  caf::error err;
  c.handle = spawn(c, err);
  if (!c.handle)
    return err;
  auto handle = c.handle;
  children_.push_back(std::move(c));
  return handle;
}

caf::actor supervisor::spawn(child& c, caf::error& err) {
  try {
    auto handle = c.spec.factory ? c.spec.factory(self_) : caf::actor{};
    if (!handle) {
      err = make_error(ec::worker_failed,
                       "the factory of child " + c.spec.name + " returned no actor");
      return {};
    }
    self_->monitor(handle);
    return handle;
  } catch (const std::exception& ex) {
    err = make_error(ec::worker_failed,
                     "the factory of child " + c.spec.name + " failed: " + ex.what());
  } catch (...) {
    err = make_error(ec::worker_failed, "the factory of child " + c.spec.name + " failed");
  }
  return {};
}

supervisor::child_iter supervisor::by_id(uint64_t id) {
  return std::find_if(children_.begin(), children_.end(),
                      [id](const child& c) { return c.id == id; });
}

down_outcome supervisor::handle_down(const caf::down_msg& msg) {
  auto c = std::find_if(children_.begin(), children_.end(), [&](const child& x) {
    return x.handle && x.handle.address() == msg.source;
  });
  if (c == children_.end())
    return down_outcome::not_a_child;
  c->handle = nullptr;
  if (stopping_) {
    children_.erase(c);
    if (options_.sequential_stop)
      stop_next();
    finish_if_done();
    return down_outcome::stopped;
  }
  if (!msg.reason) {
    children_.erase(c);
    return down_outcome::exited;
  }
  return fail(c, msg.reason);
}

down_outcome supervisor::fail(child_iter c, caf::error reason) {
  auto now = self_->clock().now();
  c->last_error = std::move(reason);
  if (!c->failures.record(now - c->waited)) {
    give_up(c);
    return down_outcome::gave_up;
  }
  auto attempt = c->failures.failures() - 1;
  auto delay = backoff_delay(options_.backoff, attempt, options_.jitter);
  spdlog::warn("child {} failed ({}); restart {} in {} ms", c->spec.name, render(c->last_error),
               c->restarts + 1,
               std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  c->state = phase::restarting;
  c->down_at = now;
  self_->delayed_send(self_, delay, restart_atom::value, c->id);
  return down_outcome::restarting;
}

void supervisor::restart(uint64_t id) {
  auto c = by_id(id);
  if (stopping_ || c == children_.end() || c->state != phase::restarting)
    return;
  c->waited += self_->clock().now() - c->down_at;
  caf::error err;
  auto handle = spawn(*c, err);
  if (!handle) {
    fail(c, std::move(err));
    return;
  }
  c->handle = std::move(handle);
  c->state = phase::running;
  ++c->restarts;
}

void supervisor::give_up(child_iter c) {
  auto err = make_error(
      ec::too_many_restarts,
      "child " + c->spec.name + " failed " + std::to_string(c->failures.failures()) + " times in " +
          format_span(options_.intensity.window) + "; last error: " + render(c->last_error));
  spdlog::error("giving up: {}", render(err));
  children_.erase(c);
  shutdown(caf::exit_reason::user_shutdown, std::move(err));
}

void supervisor::shutdown(caf::error child_reason, caf::error quit_reason) {
  if (stopping_)
    return;
  stopping_ = true;
  child_reason_ = std::move(child_reason);
  quit_reason_ = std::move(quit_reason);
  // Children waiting for a restart have no actor to stop; their timers find nothing later.
  children_.erase(std::remove_if(children_.begin(), children_.end(),
                                 [](const child& c) { return c.state == phase::restarting; }),
                  children_.end());
  if (options_.sequential_stop) {
    stop_next();
  } else {
    for (auto c = children_.rbegin(); c != children_.rend(); ++c) {
      c->state = phase::stopping;
      self_->send_exit(c->handle, child_reason_);
    }
    if (!children_.empty())
      self_->delayed_send(self_, options_.stop_timeout, stop_timeout_atom::value, all_children);
  }
  finish_if_done();
}

void supervisor::stop_next() {
  if (children_.empty())
    return;
  auto busy = std::any_of(children_.begin(), children_.end(),
                          [](const child& c) { return c.state == phase::stopping; });
  if (busy)
    return;
  auto& c = children_.back();
  c.state = phase::stopping;
  self_->send_exit(c.handle, child_reason_);
  self_->delayed_send(self_, options_.stop_timeout, stop_timeout_atom::value, c.id);
}

void supervisor::stop_timeout(uint64_t id) {
  for (auto& c : children_) {
    if (c.state == phase::stopping && c.handle && (id == all_children || c.id == id)) {
      spdlog::warn("child {} did not stop within {}; killing it", c.spec.name,
                   format_span(options_.stop_timeout));
      self_->send_exit(c.handle, caf::exit_reason::kill);
    }
  }
}

void supervisor::finish_if_done() {
  if (!stopping_ || finished_ || !children_.empty())
    return;
  finished_ = true;
  on_stopped_(quit_reason_);
}

caf::message_handler supervisor::handlers() {
  return {
      [this](restart_atom, uint64_t id) { restart(id); },
      [this](stop_timeout_atom, uint64_t id) { stop_timeout(id); },
  };
}

std::vector<child_status> supervisor::status() const {
  std::vector<child_status> result;
  result.reserve(children_.size());
  for (auto& c : children_) {
    child_status st;
    st.name = c.spec.name;
    switch (c.state) {
    case phase::running:
      st.state = "running";
      break;
    case phase::restarting:
      st.state = "restarting";
      break;
    case phase::stopping:
      st.state = "stopping";
      break;
    }
    st.restarts = c.restarts;
    if (c.last_error)
      st.last_error = render(c.last_error);
    result.push_back(std::move(st));
  }
  return result;
}

caf::actor supervisor::find(const std::string& name) const {
  for (auto& c : children_)
    if (c.spec.name == name)
      return c.handle;
  return {};
}

} // namespace bulkd
