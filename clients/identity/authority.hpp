#pragma once

// Microsoft Entra ID (AAD) authorities and tenants for the client-credentials flows.

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bulkd::identity {

inline constexpr std::string_view default_authority_host = "https://login.microsoftonline.com";

/// A tenant id or domain: letters, digits, '.', '-', '_' (it becomes a path segment).
caf::error check_tenant(std::string_view tenant);

/// Normalizes an authority host: https (http only for loopback hosts such as the emulator's), no
/// query; a trailing '/' is dropped; empty means
/// default_authority_host. A path is kept (sovereign clouds put none, but proxies might).
caf::expected<std::string> normalize_authority_host(std::string_view authority_host);

/// "{authority}/{tenant}/oauth2/v2.0/token" ("{authority}/adfs/oauth2/token" for tenant "adfs").
std::string token_endpoint(std::string_view authority_host, std::string_view tenant);

/// Which tenant to ask for a token: the configured one unless a challenge named another that is
/// allowed (listed in `additionally_allowed`, or "*" there). ec::unauthorized otherwise.
caf::expected<std::string> resolve_tenant(std::string_view configured, std::string_view requested,
                                          const std::vector<std::string>& additionally_allowed);

} // namespace bulkd::identity
