#include "daemon/commands/options.hpp"

namespace bulkd {

int run_checkpoint(const checkpoint_options& opts) {
  return not_implemented("checkpoint " + opts.action, "comes with the bulk-upsert and change-feed jobs");
}

} // namespace bulkd
