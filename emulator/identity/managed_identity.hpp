#pragma once

// The IMDS-style managed identity endpoint without the HTTP:
//   GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net
//       [&client_id=… | &object_id=… | &msi_res_id=…]     with header "Metadata: true"
// answered with IMDS's JSON, whose numbers are strings:
//   {"access_token", "client_id", "expires_in", "expires_on", "ext_expires_in", "not_before",
//    "resource", "token_type": "Bearer"}
// The machine's (system-assigned) identity is a client of the registry in one tenant, by default
// the development client; a client_id selects another client of that tenant, an object_id must be
// the one object_id_for() gives that identity, an msi_res_id never matches.
// Errors: 400 {"error": "invalid_request", "error_description": "..."} with IMDS's texts
// ("Required metadata header not specified", "Identity not found", "Required audience parameter
// not specified").

#include "emulator/identity/client_registry.hpp"
#include "emulator/identity/token_issuer.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace bulkd::emulator::identity {

struct managed_identity_response {
  int status = 200;
  nlohmann::json body;
};

struct managed_identity_config {
  std::string tenant{dev_tenant};
  std::string client_id{dev_client_id};
};

class managed_identity_endpoint {
public:
  /// Both must outlive the endpoint.
  managed_identity_endpoint(const client_registry& clients, const token_issuer& issuer,
                            managed_identity_config config = {})
      : clients_(&clients), issuer_(&issuer), config_(std::move(config)) {}

  /// `query`: the raw query string (without '?'); `metadata_header`: the value of the Metadata
  /// header if the request had one (it must be "true", case-insensitive).
  managed_identity_response handle(std::string_view query,
                                   std::optional<std::string_view> metadata_header,
                                   int64_t now) const;

private:
  const client_registry* clients_;
  const token_issuer* issuer_;
  managed_identity_config config_;
};

} // namespace bulkd::emulator::identity
