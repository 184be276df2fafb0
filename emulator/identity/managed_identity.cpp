#include "emulator/identity/managed_identity.hpp"

#include "clients/error.hpp"
#include "emulator/identity/token_request.hpp"

namespace bulkd::emulator::identity {

namespace {

managed_identity_response fail(std::string description) {
  return {400, {{"error", "invalid_request"}, {"error_description", std::move(description)}}};
}

bool is_true(std::string_view value) {
  return value.size() == 4 && (value[0] | 0x20) == 't' && (value[1] | 0x20) == 'r' &&
         (value[2] | 0x20) == 'u' && (value[3] | 0x20) == 'e';
}

} // namespace

managed_identity_response managed_identity_endpoint::handle(
    std::string_view query, std::optional<std::string_view> metadata_header, int64_t now) const {
  if (!metadata_header || !is_true(*metadata_header))
    return fail("Required metadata header not specified");
  auto params = parse_form(query);
  if (!params)
    return fail("Invalid request");
  std::string resource;
  std::optional<std::string> client_id;
  std::optional<std::string> object_id;
  std::optional<std::string> resource_id;
  for (auto& [name, value] : *params) {
    if (name == "resource")
      resource = value;
    else if (name == "client_id")
      client_id = value;
    else if (name == "object_id")
      object_id = value;
    else if (name == "msi_res_id" || name == "mi_res_id")
      resource_id = value;
  }
  if (resource.empty())
    return fail("Required audience parameter not specified");
  if (resource_id)
    return fail("Identity not found"); // no Azure resource ids exist here
  auto identity = clients_->find(config_.tenant, client_id ? *client_id : config_.client_id);
  if (identity && object_id && object_id_for(identity->tenant, identity->client_id) != *object_id)
    identity = nullptr;
  if (identity == nullptr)
    return fail("Identity not found");
  // Managed identity takes a resource, but tolerate a scope.
  auto audience = audience_of_scope(resource);
  auto token = issuer_->issue(identity->tenant, identity->client_id, audience, now);
  if (!token)
    return {500, {{"error", "server_error"}, {"error_description", render(token.error())}}};
  return {200,
          {{"access_token", token->access_token},
           {"client_id", identity->client_id},
           {"expires_in", std::to_string(token->expires_in)},
           {"expires_on", std::to_string(token->expires_on)},
           {"ext_expires_in", std::to_string(token->expires_in)},
           {"not_before", std::to_string(now)},
           {"resource", resource},
           {"token_type", "Bearer"}}};
}

} // namespace bulkd::emulator::identity
