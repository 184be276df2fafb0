#include "jobs/error_text.hpp"

#include "clients/error.hpp"

#include <caf/message.hpp>

namespace bulkd {

std::string error_text(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return render(err);
}

} // namespace bulkd
