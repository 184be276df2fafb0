#include "actors/actor_system_setup.hpp"

#include "clients/error.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>

namespace bulkd {

void configure_actor_system(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.add_error_category(error_category(),
                         [](uint8_t code, caf::atom_value category, const caf::message& context) {
                           return render(caf::error{code, category, context});
                         });
}

void configure_test_actor_system(caf::actor_system_config& cfg) {
  configure_actor_system(cfg);
  cfg.set("scheduler.policy", caf::atom("testing"));
}

} // namespace bulkd
