#include "daemon/cli.hpp"

int main(int argc, char** argv) {
  return bulkd::run_cli(argc, argv);
}
