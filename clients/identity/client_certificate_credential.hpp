#pragma once

// Client certificate (reference §2.4): the client-credentials grant with a signed assertion:
//   grant_type=client_credentials&client_id=…&scope=…
//   &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer
//   &client_assertion=<JWT from client_certificate::make_assertion, aud = the token endpoint>

#include "clients/identity/authority.hpp"
#include "clients/identity/client_certificate.hpp"
#include "clients/identity/credential.hpp"

#include <string>
#include <vector>

namespace bulkd::identity {

inline constexpr std::string_view jwt_bearer_assertion_type =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct client_certificate_options {
  std::string tenant_id;
  std::string client_id;
  std::string authority_host; // empty = default_authority_host
  std::vector<std::string> additionally_allowed_tenants;
};

caf::expected<credential_ptr> make_client_certificate_credential(client_certificate_options options,
                                                                 client_certificate certificate);

/// Loads the PEM file (certificate and key) first.
caf::expected<credential_ptr>
make_client_certificate_credential(client_certificate_options options,
                                   const std::string& certificate_path);

} // namespace bulkd::identity
