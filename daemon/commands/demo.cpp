#include "daemon/commands/options.hpp"

namespace bulkd {

int run_demo(const demo_options&) {
  return not_implemented("demo", "filled in as the job kinds land");
}

} // namespace bulkd
