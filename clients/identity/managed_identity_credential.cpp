#include "clients/identity/managed_identity_credential.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/identity/form.hpp"
#include "clients/url.hpp"

namespace bulkd::identity {

namespace {

class managed_identity_credential final : public credential {
public:
  explicit managed_identity_credential(managed_identity_options options)
      : opts_(std::move(options)) {}

  std::string_view kind() const override { return "managed-identity"; }

  std::string describe() const override {
    std::string out = opts_.source == managed_identity_source::app_service
                          ? "managed-identity (App Service"
                          : "managed-identity (IMDS";
    out += ", endpoint " + opts_.endpoint;
    out += opts_.client_id.empty() ? ", system-assigned)" : ", client " + opts_.client_id + ")";
    return out;
  }

  caf::expected<http_request> token_request(const token_request_context& ctx) const override {
    if (auto err = check_scope(ctx.scope))
      return err;
    bool app_service = opts_.source == managed_identity_source::app_service;
    form_fields query{
        {"api-version", std::string{app_service ? app_service_api_version : imds_api_version}},
        {"resource", scope_to_resource(ctx.scope)}};
    if (!opts_.client_id.empty())
      query.emplace_back("client_id", opts_.client_id);
    http_request req;
    req.method = "GET";
    auto u = opts_.endpoint;
    u += (u.find('?') == std::string::npos ? "?" : "&") + form_encode(query);
    if (auto err = set_url(req, u))
      return err;
    if (app_service)
      req.headers.set("X-IDENTITY-HEADER", opts_.identity_header);
    else
      req.headers.set("Metadata", "true");
    req.headers.set("Accept", "application/json");
    return req;
  }

private:
  managed_identity_options opts_;
};

} // namespace

std::string scope_to_resource(std::string_view scope) {
  constexpr std::string_view suffix = "/.default";
  if (scope.size() >= suffix.size() && scope.substr(scope.size() - suffix.size()) == suffix)
    scope.remove_suffix(suffix.size());
  return std::string{scope};
}

caf::expected<credential_ptr> make_managed_identity_credential(managed_identity_options options) {
  bool app_service = options.source == managed_identity_source::app_service;
  if (options.endpoint.empty()) {
    if (app_service)
      return make_error(ec::invalid_argument,
                        "managed-identity credential: App Service needs IDENTITY_ENDPOINT");
    options.endpoint = imds_endpoint;
  }
  if (app_service && options.identity_header.empty())
    return make_error(ec::invalid_argument,
                      "managed-identity credential: App Service needs IDENTITY_HEADER");
  auto u = parse_url(options.endpoint);
  if (!u)
    return make_error(ec::invalid_argument, "managed-identity credential: invalid endpoint: " +
                                                cosmos::error_message(u.error()));
  return std::make_shared<const managed_identity_credential>(std::move(options));
}

caf::expected<credential_ptr> managed_identity_from_environment(const environment& env,
                                                                std::string client_id,
                                                                std::string endpoint_override) {
  managed_identity_options opts;
  opts.client_id = std::move(client_id);
  if (env.has("IDENTITY_ENDPOINT") && env.has("IDENTITY_HEADER")) {
    opts.source = managed_identity_source::app_service;
    opts.endpoint = env.get("IDENTITY_ENDPOINT");
    opts.identity_header = env.get("IDENTITY_HEADER");
  } else if (env.has("AZURE_POD_IDENTITY_AUTHORITY_HOST")) {
    auto host = env.get("AZURE_POD_IDENTITY_AUTHORITY_HOST");
    while (!host.empty() && host.back() == '/')
      host.pop_back();
    opts.endpoint = host + "/metadata/identity/oauth2/token";
  }
  if (!endpoint_override.empty())
    opts.endpoint = std::move(endpoint_override);
  return make_managed_identity_credential(std::move(opts));
}

} // namespace bulkd::identity
