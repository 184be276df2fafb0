#include "clients/cosmos/authorization.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/url_encoding.hpp"
#include "clients/error.hpp"

namespace bulkd::cosmos {

caf::expected<credential> credential::from_master_key(std::string_view base64_key) {
  auto key = parse_master_key(base64_key);
  if (!key)
    return key.error(); // parse_master_key never quotes the key
  return credential{std::move(*key)};
}

credential credential::from_master_key(master_key key) {
  return credential{std::move(key)};
}

caf::expected<credential> credential::from_aad_token(std::string token) {
  if (token.empty())
    return make_error(ec::invalid_argument, "the AAD access token is empty");
  return credential{aad_token{std::move(token)}};
}

std::string credential::authorization(std::string_view verb, std::string_view resource_type,
                                      std::string_view resource_link,
                                      std::string_view x_ms_date) const {
  if (auto key = std::get_if<master_key>(&value_))
    return master_authorization(*key, verb, resource_type, resource_link, x_ms_date);
  return aad_authorization(std::get<aad_token>(value_).token);
}

caf::error credential::refresh(std::string token) {
  if (is_master_key())
    return make_error(ec::invalid_argument, "a master-key credential has no token to refresh");
  if (token.empty())
    return make_error(ec::invalid_argument, "the AAD access token is empty");
  value_ = aad_token{std::move(token)};
  return {};
}

std::string aad_authorization(std::string_view token) {
  std::string raw = "type=aad&ver=1.0&sig=";
  raw += token;
  return url_encode_component(raw);
}

} // namespace bulkd::cosmos
