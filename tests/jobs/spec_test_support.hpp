#pragma once

// Helpers shared by the spec loader tests.

#include "jobs/spec_loader.hpp"

#include <map>
#include <string>

namespace bulkd::test {

/// An expansion context with a fixed environment and no credentials directory.
inline expansion_context fake_context(std::map<std::string, std::string> env = {}) {
  expansion_context ctx;
  ctx.env = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    if (auto it = env.find(name); it != env.end())
      return it->second;
    return std::nullopt;
  };
  return ctx;
}

/// A daemon config defining account `main` and vault `main`, for reference checks.
inline daemon_config reference_config() {
  auto loaded = parse_daemon_config(R"(
accounts:
  main: { endpoint: "https://a.documents.azure.com", key: "k" }
vaults:
  main: { url: "https://v.vault.azure.net" }
)",
                                    "ref.yaml", fake_context());
  return *loaded.value;
}

inline std::string all(const diagnostics& ds) {
  std::string out;
  for (auto& d : ds)
    out += render(d) + "\n";
  return out;
}

} // namespace bulkd::test
