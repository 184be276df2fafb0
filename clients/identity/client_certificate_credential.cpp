#include "clients/identity/client_certificate_credential.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/identity/form.hpp"

namespace bulkd::identity {

namespace {

class client_certificate_credential final : public credential {
public:
  client_certificate_credential(client_certificate_options options, client_certificate cert)
      : opts_(std::move(options)), cert_(std::move(cert)) {}

  std::string_view kind() const override { return "client-certificate"; }

  std::string describe() const override {
    return "client-certificate (tenant " + opts_.tenant_id + ", client " + opts_.client_id +
           ", thumbprint " + cert_.thumbprint() + ", authority " + opts_.authority_host + ")";
  }

  caf::expected<http_request> token_request(const token_request_context& ctx) const override {
    if (auto err = check_scope(ctx.scope))
      return err;
    auto tenant = resolve_tenant(opts_.tenant_id, ctx.tenant, opts_.additionally_allowed_tenants);
    if (!tenant)
      return std::move(tenant.error());
    auto endpoint = token_endpoint(opts_.authority_host, *tenant);
    // An unset time would make an assertion valid in 1970 only.
    auto now = ctx.now == seconds_clock_time{}
                   ? std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())
                   : ctx.now;
    auto assertion = cert_.make_assertion(endpoint, opts_.client_id, now);
    if (!assertion)
      return std::move(assertion.error());
    return client_credentials_request(
        endpoint, form_encode({{"grant_type", "client_credentials"},
                               {"client_id", opts_.client_id},
                               {"scope", ctx.scope},
                               {"client_assertion_type", std::string{jwt_bearer_assertion_type}},
                               {"client_assertion", *assertion}}));
  }

private:
  client_certificate_options opts_;
  client_certificate cert_;
};

} // namespace

caf::expected<credential_ptr> make_client_certificate_credential(client_certificate_options options,
                                                                 client_certificate certificate) {
  if (auto err = check_tenant(options.tenant_id))
    return make_error(ec::invalid_argument,
                      "client-certificate credential: " + cosmos::error_message(err));
  if (options.client_id.empty())
    return make_error(ec::invalid_argument, "client-certificate credential: empty client id");
  auto authority = normalize_authority_host(options.authority_host);
  if (!authority)
    return make_error(ec::invalid_argument,
                      "client-certificate credential: " + cosmos::error_message(authority.error()));
  options.authority_host = std::move(*authority);
  return std::make_shared<const client_certificate_credential>(std::move(options),
                                                               std::move(certificate));
}

caf::expected<credential_ptr>
make_client_certificate_credential(client_certificate_options options,
                                   const std::string& certificate_path) {
  auto cert = client_certificate::load(certificate_path);
  if (!cert)
    return std::move(cert.error());
  return make_client_certificate_credential(std::move(options), std::move(*cert));
}

} // namespace bulkd::identity
