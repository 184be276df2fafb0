#pragma once

// A way to get AAD tokens, sans I/O: build the token request, send it (the caller's job, through
// http_pool), parse the answer. Implementations: client_secret_credential.hpp,
// client_certificate_credential.hpp, managed_identity_credential.hpp,
// workload_identity_credential.hpp; default_credential.hpp picks one from the environment.

#include "clients/http_request.hpp"
#include "clients/http_response.hpp"
#include "clients/identity/token.hpp"

#include <caf/expected.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace bulkd::identity {

/// Key Vault's scope when no challenge named another.
inline constexpr std::string_view keyvault_scope = "https://vault.azure.net/.default";

struct token_request_context {
  /// "https://vault.azure.net/.default"; managed identity sends it as resource without "/.default".
  std::string scope{keyvault_scope};
  /// The tenant a challenge named; empty = the configured one.
  std::string tenant;
  /// For assertions (nbf, exp).
  seconds_clock_time now{};
};

class credential {
public:
  virtual ~credential() = default;

  /// "client-secret", "client-certificate", "managed-identity", "workload-identity".
  virtual std::string_view kind() const = 0;

  /// For logs: the kind with tenant, client id and endpoint; never a secret.
  virtual std::string describe() const = 0;

  virtual caf::expected<http_request> token_request(const token_request_context& ctx) const = 0;

  /// Parses the answer to `sent`, a request this credential built.
  virtual caf::expected<token> parse_token_response(const http_request& sent,
                                                    const http_response& resp,
                                                    seconds_clock_time now) const;
};

using credential_ptr = std::shared_ptr<const credential>;

/// The POST of a client-credentials grant: form body, Accept: application/json.
http_request client_credentials_request(std::string_view endpoint_url, std::string body);

/// Checks a scope ("https://host/.default" or any absolute URL) before it is sent.
caf::error check_scope(std::string_view scope);

} // namespace bulkd::identity
