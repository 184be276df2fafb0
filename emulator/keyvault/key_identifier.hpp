#pragma once

// Key names, version ids and kid URLs as Key Vault forms them.

#include <string>
#include <string_view>

namespace bulkd::emulator::keyvault {

/// ^[0-9a-zA-Z-]+$ (the spec's pattern for create/import/rotate), 1 to 127 characters (the
/// documented limit).
bool is_valid_key_name(std::string_view name);

/// A new version id: 32 random lowercase hex digits, like the service's.
std::string new_key_version();

/// A random GUID in lowercase 8-4-4-4-12 form (version 4), for x-ms-request-id and the like.
std::string new_guid();

/// "<vault_url>/keys/<name>" or, with a version, "<vault_url>/keys/<name>/<version>"; a trailing
/// slash of vault_url is dropped.
std::string key_id(std::string_view vault_url, std::string_view name,
                   std::string_view version = {});

} // namespace bulkd::emulator::keyvault
