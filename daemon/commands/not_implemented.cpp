#include "daemon/commands/options.hpp"
#include "daemon/exit_code.hpp"

#include <cstdio>

namespace bulkd {

int not_implemented(const std::string& what, const std::string& planned_in) {
  std::fprintf(stderr,
               "bulkd %s: not implemented yet in this version (%s).\n"
               "Nothing was done. See README.md, section \"Status\".\n",
               what.c_str(), planned_in.c_str());
  return exit_code::not_implemented;
}

} // namespace bulkd
