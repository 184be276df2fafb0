#include "daemon/commands/options.hpp"

namespace bulkd {

int run_keys(const keys_options& opts) {
  return not_implemented("keys " + opts.action, "comes with the key-backup job");
}

} // namespace bulkd
