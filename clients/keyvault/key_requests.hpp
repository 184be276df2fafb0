#pragma once

// Requests of the Key Vault keys data plane (reference §1.3) that key backup and restore use. Each
// carries "?api-version=" and "Accept: application/json"; the Authorization header is added by the
// caller. Key names must match ^[0-9a-zA-Z-]+$ and versions ^[0-9a-zA-Z]+$, so they need no
// escaping; anything else is ec::invalid_argument.

#include "clients/http_request.hpp"
#include "clients/keyvault/vault.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd::keyvault {

/// Page size bounds of the list operations.
inline constexpr int min_maxresults = 1;
inline constexpr int max_maxresults = 25;

/// GET /keys?maxresults=N
caf::expected<http_request> list_keys(const vault& v, int maxresults = max_maxresults);

/// GET /keys/{name}/versions?maxresults=N
caf::expected<http_request> list_key_versions(const vault& v, std::string_view name,
                                              int maxresults = max_maxresults);

/// GET /deletedkeys?maxresults=N
caf::expected<http_request> list_deleted_keys(const vault& v, int maxresults = max_maxresults);

/// GET of a list's nextLink as given. The link must point at the vault's own host and port, over
/// https (or http when the vault itself is http), so a forged or broken page can never send the
/// token elsewhere. api-version is added only when the link has none.
caf::expected<http_request> next_page(const vault& v, std::string_view next_link);

/// GET /keys/{name}/ (latest; the trailing slash is the empty version) or /keys/{name}/{version}.
caf::expected<http_request> get_key(const vault& v, std::string_view name,
                                    std::string_view version = {});

/// POST /keys/{name}/backup with an empty body.
caf::expected<http_request> backup_key(const vault& v, std::string_view name);

/// POST /keys/restore with {"value": base64url(blob)}.
caf::expected<http_request> restore_key(const vault& v, std::string_view blob);

/// DELETE /keys/{name}
caf::expected<http_request> delete_key(const vault& v, std::string_view name);

/// GET /deletedkeys/{name}
caf::expected<http_request> get_deleted_key(const vault& v, std::string_view name);

/// DELETE /deletedkeys/{name}
caf::expected<http_request> purge_deleted_key(const vault& v, std::string_view name);

/// POST /deletedkeys/{name}/recover
caf::expected<http_request> recover_deleted_key(const vault& v, std::string_view name);

/// Checks a key name against ^[0-9a-zA-Z-]+$ (at most 127 characters).
caf::error check_key_name(std::string_view name);

} // namespace bulkd::keyvault
