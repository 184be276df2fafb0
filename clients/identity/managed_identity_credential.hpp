#pragma once

// Managed identity (reference §2.4). Takes a resource, not a scope: "https://vault.azure.net".
//   IMDS:        GET http://169.254.169.254/metadata/identity/oauth2/token
//                    ?api-version=2018-02-01&resource=…[&client_id=…]      Metadata: true
//   App Service: GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=…[&client_id=…]
//                    X-IDENTITY-HEADER: $IDENTITY_HEADER
// The answers carry numbers as strings ("expires_in": "3599"); token_response.hpp reads both.
// The tenant of a challenge is ignored: the identity belongs to one tenant.

#include "clients/identity/credential.hpp"
#include "clients/identity/environment.hpp"

#include <string>

namespace bulkd::identity {

inline constexpr std::string_view imds_endpoint =
    "http://169.254.169.254/metadata/identity/oauth2/token";
inline constexpr std::string_view imds_api_version = "2018-02-01";
inline constexpr std::string_view app_service_api_version = "2019-08-01";

enum class managed_identity_source { imds, app_service };

struct managed_identity_options {
  managed_identity_source source = managed_identity_source::imds;
  /// A user-assigned identity's client id; empty = the system-assigned identity.
  std::string client_id;
  /// The token URL; empty = imds_endpoint for IMDS (required for App Service). The emulator's
  /// endpoint goes here.
  std::string endpoint;
  /// App Service's IDENTITY_HEADER (a secret).
  std::string identity_header;
};

caf::expected<credential_ptr> make_managed_identity_credential(managed_identity_options options);

/// App Service when IDENTITY_ENDPOINT and IDENTITY_HEADER are set, else IMDS at
/// AZURE_POD_IDENTITY_AUTHORITY_HOST (+ "/metadata/identity/oauth2/token") or 169.254.169.254.
/// `client_id` and a non-empty `endpoint_override` win over the environment.
caf::expected<credential_ptr> managed_identity_from_environment(const environment& env,
                                                                std::string client_id = {},
                                                                std::string endpoint_override = {});

/// "https://vault.azure.net/.default" → "https://vault.azure.net".
std::string scope_to_resource(std::string_view scope);

} // namespace bulkd::identity
