#include "daemon/cli.hpp"

#include <cstdlib>
#include <malloc.h>

int main(int argc, char** argv) {
  // glibc gives each of bulkd's many threads (64 HTTP workers, the actor scheduler) its own malloc
  // arena, up to 8 per core, and freed batches stay cached in each: a 2 GiB bulk load peaked at
  // 153 MiB with the default and 123 MiB with 2 arenas (tests/daemon/bulk_run_test.cpp, "2 GiB").
  // MALLOC_ARENA_MAX in the environment still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr)
    ::mallopt(M_ARENA_MAX, 2);
  return bulkd::run_cli(argc, argv);
}
