#pragma once

// The message text of a bulkd error without its code, for nesting one error's reason in another.

#include "clients/error.hpp"

#include <caf/error.hpp>
#include <caf/message.hpp>

#include <string>

namespace bulkd::cosmos {

inline std::string error_message(const caf::error& err) {
  if (err.category() == error_category() && err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return render(err);
}

} // namespace bulkd::cosmos
