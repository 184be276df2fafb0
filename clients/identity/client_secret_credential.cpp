#include "clients/identity/client_secret_credential.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/identity/form.hpp"

namespace bulkd::identity {

namespace {

class client_secret_credential final : public credential {
public:
  explicit client_secret_credential(client_secret_options options) : opts_(std::move(options)) {}

  std::string_view kind() const override { return "client-secret"; }

  std::string describe() const override {
    return "client-secret (tenant " + opts_.tenant_id + ", client " + opts_.client_id +
           ", authority " + opts_.authority_host + ")";
  }

  caf::expected<http_request> token_request(const token_request_context& ctx) const override {
    if (auto err = check_scope(ctx.scope))
      return err;
    auto tenant = resolve_tenant(opts_.tenant_id, ctx.tenant, opts_.additionally_allowed_tenants);
    if (!tenant)
      return std::move(tenant.error());
    return client_credentials_request(token_endpoint(opts_.authority_host, *tenant),
                                      form_encode({{"grant_type", "client_credentials"},
                                                   {"client_id", opts_.client_id},
                                                   {"client_secret", opts_.client_secret},
                                                   {"scope", ctx.scope}}));
  }

private:
  client_secret_options opts_;
};

} // namespace

caf::expected<credential_ptr> make_client_secret_credential(client_secret_options options) {
  if (auto err = check_tenant(options.tenant_id))
    return make_error(ec::invalid_argument,
                      "client-secret credential: " + cosmos::error_message(err));
  if (options.client_id.empty())
    return make_error(ec::invalid_argument, "client-secret credential: empty client id");
  if (options.client_secret.empty())
    return make_error(ec::invalid_argument, "client-secret credential: empty client secret");
  auto authority = normalize_authority_host(options.authority_host);
  if (!authority)
    return make_error(ec::invalid_argument,
                      "client-secret credential: " + cosmos::error_message(authority.error()));
  options.authority_host = std::move(*authority);
  return std::make_shared<const client_secret_credential>(std::move(options));
}

} // namespace bulkd::identity
