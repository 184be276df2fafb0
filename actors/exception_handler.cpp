#include "actors/exception_handler.hpp"

#include "clients/error.hpp"

#include <caf/scheduled_actor.hpp>

#include <string>

namespace bulkd {

caf::error exception_to_error(const std::exception_ptr& eptr) {
  try {
    if (eptr)
      std::rethrow_exception(eptr);
  } catch (const std::exception& ex) {
    return make_error(ec::worker_failed, ex.what());
  } catch (...) {
    return make_error(ec::worker_failed, "unknown exception");
  }
  return make_error(ec::worker_failed, "unknown exception");
}

void install_exception_handler(caf::scheduled_actor* self) {
  self->set_exception_handler(
      [](caf::scheduled_actor*, std::exception_ptr& eptr) { return exception_to_error(eptr); });
}

} // namespace bulkd
