#pragma once

// How a request proves who sends it: signed with the account's master key, or carrying an
// Entra ID (AAD) bearer token obtained elsewhere (the token cache).

#include "clients/cosmos/auth_signature.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace bulkd::cosmos {

/// An AAD access token (a JWT) for the scope https://<account host>/.default.
struct aad_token {
  std::string token;
};

class credential {
public:
  /// Decodes a base64 account key (ec::invalid_argument; the message never holds the key).
  static caf::expected<credential> from_master_key(std::string_view base64_key);

  static credential from_master_key(master_key key);

  /// An empty token is ec::invalid_argument.
  static caf::expected<credential> from_aad_token(std::string token);

  bool is_master_key() const { return std::holds_alternative<master_key>(value_); }

  /// The Authorization header value for one request. A master key signs verb, resource type,
  /// resource link and x-ms-date; an AAD token ignores them and gives the URL-encoded
  /// "type=aad&ver=1.0&sig=<token>".
  std::string authorization(std::string_view verb, std::string_view resource_type,
                            std::string_view resource_link, std::string_view x_ms_date) const;

  /// Replaces the AAD token after a refresh; ec::invalid_argument for master-key credentials.
  caf::error refresh(std::string token);

private:
  explicit credential(std::variant<master_key, aad_token> value) : value_(std::move(value)) {}

  std::variant<master_key, aad_token> value_;
};

/// The header for an AAD token: url-encoded "type=aad&ver=1.0&sig=<token>".
std::string aad_authorization(std::string_view token);

} // namespace bulkd::cosmos
