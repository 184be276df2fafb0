#include "daemon/commands/options.hpp"

namespace bulkd {

int run_emulator(const emulator_options&) {
  return not_implemented("emulator", "the Cosmos DB and Key Vault emulator is the next piece of work");
}

} // namespace bulkd
