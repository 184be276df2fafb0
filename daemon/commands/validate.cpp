#include "daemon/commands/options.hpp"

namespace bulkd {

int run_validate(const validate_options&) {
  return not_implemented("validate", "job spec loader");
}

} // namespace bulkd
