#include "clients/identity/environment.hpp"

extern char** environ;

namespace bulkd::identity {

environment environment::process() {
  map vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry{*e};
    auto eq = entry.find('=');
    if (eq == std::string_view::npos)
      continue;
    vars.emplace(std::string{entry.substr(0, eq)}, std::string{entry.substr(eq + 1)});
  }
  return environment{std::move(vars)};
}

std::string environment::get(std::string_view name) const {
  auto i = vars_.find(name);
  return i == vars_.end() ? std::string{} : i->second;
}

} // namespace bulkd::identity
