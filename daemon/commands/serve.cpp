#include "daemon/commands/options.hpp"

namespace bulkd {

int run_serve(const serve_options&) {
  return not_implemented("serve", "daemon skeleton");
}

} // namespace bulkd
