#pragma once

// CAF's default exception handler prints to stdout and turns any exception into
// sec::runtime_error, losing its text. This one keeps the text: an exception escaping a
// handler (or the init function, a then() callback, a down/exit handler) makes the actor quit
// with bulkd::ec::worker_failed whose message is the exception's what(). A requester of the
// message that threw receives the same error.

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include <exception>

namespace bulkd {

/// worker_failed carrying what() of the exception (or "unknown exception").
caf::error exception_to_error(const std::exception_ptr& eptr);

/// Installs exception_to_error as the actor's exception handler. Call it first thing in every
/// actor's spawn function: an exception thrown before it runs still loses its text.
void install_exception_handler(caf::scheduled_actor* self);

} // namespace bulkd
