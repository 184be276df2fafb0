#include "actors/root_supervisor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

namespace bulkd {

namespace {

struct root_supervisor_state {
  explicit root_supervisor_state(caf::event_based_actor* self) : children(self) {}

  supervisor children;
  static constexpr const char* name = "root_supervisor";
};

caf::behavior root_supervisor(caf::stateful_actor<root_supervisor_state>* self,
                              root_supervisor_options options) {
  install_exception_handler(self);
  options.supervision.sequential_stop = true;
  self->state.children.configure(std::move(options.supervision));
  self->set_down_handler([self](caf::down_msg& dm) { self->state.children.handle_down(dm); });
  self->set_exit_handler([self](caf::exit_msg& em) {
    if (!self->state.children.stopping())
      spdlog::info("stopping {} children in reverse start order ({})", self->state.children.size(),
                   render(em.reason));
    self->state.children.shutdown(em.reason, em.reason);
  });
  return self->state.children.handlers().or_else(
      [self](caf::add_atom, child_spec& spec) -> caf::result<caf::actor> {
        auto started = self->state.children.start(std::move(spec));
        if (!started)
          return std::move(started.error());
        return std::move(*started);
      },
      [](caf::ping_atom) { return caf::pong_atom::value; },
      [self](status_atom) { return self->state.children.status(); },
      [self](caf::get_atom, const std::string& name) -> caf::result<caf::actor> {
        if (auto child = self->state.children.find(name))
          return child;
        return make_error(ec::not_found, "no running child named " + name);
      });
}

} // namespace

caf::actor spawn_root_supervisor(caf::actor_system& sys, root_supervisor_options options) {
  return sys.spawn(root_supervisor, std::move(options));
}

caf::expected<caf::actor> add_child(caf::actor_system& sys, const caf::actor& root, child_spec spec,
                                    caf::timespan timeout) {
  caf::scoped_actor self{sys, true};
  caf::expected<caf::actor> result{caf::actor{}};
  self->request(root, timeout, caf::add_atom::value, std::move(spec))
      .receive([&](caf::actor& child) { result = std::move(child); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

caf::error await_exit(caf::actor_system& sys, const caf::actor& root) {
  caf::scoped_actor self{sys, true};
  caf::error reason;
  self->monitor(root);
  self->receive([&](caf::down_msg& dm) { reason = std::move(dm.reason); });
  return reason;
}

} // namespace bulkd
