#include "daemon/commands/options.hpp"

namespace bulkd {

int run_admin_verb(const std::string& verb, const admin_options&) {
  return not_implemented(verb, "the /v1 admin API comes with the daemon-operation work");
}

} // namespace bulkd
