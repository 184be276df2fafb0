#include "actors/bulk_upsert/checkpoint_writer_actor.hpp"

#include "actors/exception_handler.hpp"
#include "jobs/dead_letter_writer.hpp"

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/result.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>

namespace bulkd {

namespace {

struct checkpoint_writer_state {
  checkpoint_writer_config cfg;

  static inline const char* name = "bulk_checkpoint_writer";
};

using writer_ptr = caf::stateful_actor<checkpoint_writer_state>*;

caf::behavior checkpoint_writer(writer_ptr self, checkpoint_writer_config cfg) {
  install_exception_handler(self);
  self->state.cfg = std::move(cfg);
  // The job ends it with any exit message (the default would ignore a normal one).
  self->set_exit_handler([self](caf::exit_msg& em) { self->quit(em.reason); });
  return {
      [=](const checkpoint_write& msg) -> caf::result<caf::ok_atom> {
        auto& cfg = self->state.cfg;
        if (msg.sync_dead_letters && cfg.dead_letters) {
          if (auto err = cfg.dead_letters->sync())
            return err;
        }
        if (auto err = save_bulk_checkpoint(cfg.file, msg.checkpoint))
          return err;
        return caf::ok_atom::value;
      },
  };
}

} // namespace

caf::actor spawn_checkpoint_writer(caf::local_actor* parent, checkpoint_writer_config config) {
  return parent->spawn<caf::detached>(checkpoint_writer, std::move(config));
}

} // namespace bulkd
