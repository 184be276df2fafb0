#pragma once

// The human part of a bulkd error (the message given to make_error), without the code name.

#include <caf/error.hpp>

#include <string>

namespace bulkd {

std::string error_text(const caf::error& err);

} // namespace bulkd
