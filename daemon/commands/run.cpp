#include "daemon/commands/options.hpp"

namespace bulkd {

int run_run(const run_options&) {
  return not_implemented("run", "one-shot runs come with the job kinds (bulk-upsert, change-feed, "
                                "key-backup) and the daemon-operation work");
}

} // namespace bulkd
