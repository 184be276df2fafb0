#include "clients/identity/workload_identity_credential.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/identity/client_certificate_credential.hpp"
#include "clients/identity/form.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bulkd::identity {

namespace {

class workload_identity_credential final : public credential {
public:
  explicit workload_identity_credential(workload_identity_options options)
      : opts_(std::move(options)) {}

  std::string_view kind() const override { return "workload-identity"; }

  std::string describe() const override {
    return "workload-identity (tenant " + opts_.tenant_id + ", client " + opts_.client_id +
           ", token file " + opts_.token_file + ", authority " + opts_.authority_host + ")";
  }

  caf::expected<http_request> token_request(const token_request_context& ctx) const override {
    if (auto err = check_scope(ctx.scope))
      return err;
    auto tenant = resolve_tenant(opts_.tenant_id, ctx.tenant, opts_.additionally_allowed_tenants);
    if (!tenant)
      return std::move(tenant.error());
    auto assertion = read_token_file();
    if (!assertion)
      return std::move(assertion.error());
    return client_credentials_request(
        token_endpoint(opts_.authority_host, *tenant),
        form_encode({{"grant_type", "client_credentials"},
                     {"client_id", opts_.client_id},
                     {"scope", ctx.scope},
                     {"client_assertion_type", std::string{jwt_bearer_assertion_type}},
                     {"client_assertion", *assertion}}));
  }

private:
  caf::expected<std::string> read_token_file() const {
    std::ifstream in{opts_.token_file, std::ios::binary};
    if (!in)
      return make_error(ec::io_error, "workload-identity credential: cannot read the federated "
                                      "token file " +
                                          opts_.token_file + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    auto s = text.str();
    auto end = s.find_last_not_of(" \t\r\n");
    s.erase(end == std::string::npos ? 0 : end + 1);
    if (s.empty())
      return make_error(ec::invalid_argument, "workload-identity credential: the federated "
                                              "token file " +
                                                  opts_.token_file + " is empty");
    return s;
  }

  workload_identity_options opts_;
};

} // namespace

caf::expected<credential_ptr> make_workload_identity_credential(workload_identity_options options) {
  if (auto err = check_tenant(options.tenant_id))
    return make_error(ec::invalid_argument,
                      "workload-identity credential: " + cosmos::error_message(err));
  if (options.client_id.empty())
    return make_error(ec::invalid_argument, "workload-identity credential: empty client id");
  if (options.token_file.empty())
    return make_error(ec::invalid_argument,
                      "workload-identity credential: no federated token file");
  auto authority = normalize_authority_host(options.authority_host);
  if (!authority)
    return make_error(ec::invalid_argument,
                      "workload-identity credential: " + cosmos::error_message(authority.error()));
  options.authority_host = std::move(*authority);
  return std::make_shared<const workload_identity_credential>(std::move(options));
}

caf::expected<credential_ptr>
workload_identity_from_environment(const environment& env, workload_identity_options options) {
  auto fill = [&](std::string& field, const char* var) {
    if (field.empty())
      field = env.get(var);
  };
  fill(options.tenant_id, "AZURE_TENANT_ID");
  fill(options.client_id, "AZURE_CLIENT_ID");
  fill(options.token_file, "AZURE_FEDERATED_TOKEN_FILE");
  fill(options.authority_host, "AZURE_AUTHORITY_HOST");
  std::string missing;
  auto need = [&](const std::string& field, const char* var) {
    if (field.empty())
      missing += (missing.empty() ? "" : ", ") + std::string{var};
  };
  need(options.tenant_id, "AZURE_TENANT_ID");
  need(options.client_id, "AZURE_CLIENT_ID");
  need(options.token_file, "AZURE_FEDERATED_TOKEN_FILE");
  if (!missing.empty())
    return make_error(ec::invalid_argument,
                      "workload-identity credential: " + missing + " not set");
  return make_workload_identity_credential(std::move(options));
}

} // namespace bulkd::identity
