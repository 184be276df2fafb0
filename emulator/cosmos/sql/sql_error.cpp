#include "emulator/cosmos/sql/sql_error.hpp"

#include "clients/error.hpp"

#include <caf/message.hpp>

namespace bulkd::emulator::cosmos::sql {

caf::error sql_error(source_position pos, const std::string& what) {
  return make_error(ec::invalid_argument, what + " at " + to_string(pos));
}

caf::error sql_error(const std::string& what) {
  return make_error(ec::invalid_argument, what);
}

std::string error_message(const caf::error& err) {
  if (err && err.category() == error_category() && err.context().match_elements<std::string>()) {
    auto message = err.context().get_as<std::string>(0);
    if (!message.empty())
      return message;
  }
  return render(err);
}

} // namespace bulkd::emulator::cosmos::sql
