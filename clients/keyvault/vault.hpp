#pragma once

// A Key Vault (or Managed HSM) as the requests address it: its origin and the api-version sent on
// every request.

#include "clients/url.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd::keyvault {

/// The latest stable data-plane version (reference §1.1); key and backup shapes are the same
/// as 7.5.
inline constexpr std::string_view default_api_version = "2025-07-01";

struct vault {
  url base; // origin only: target is "/"
  std::string api_version{default_api_version};
};

/// "https://myvault.vault.azure.net[/]" → vault; a path or query is refused. http is accepted (the
/// emulator without --tls); https is what Azure serves.
caf::expected<vault> make_vault(std::string_view vault_url,
                                std::string_view api_version = default_api_version);

} // namespace bulkd::keyvault
