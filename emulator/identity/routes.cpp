#include "emulator/identity/routes.hpp"

#include "emulator/identity/token_endpoint.hpp"
#include "emulator/keyvault/key_identifier.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>

namespace bulkd::emulator::identity {

int64_t identity_context::now() const {
  if (clock)
    return clock();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

using json = nlohmann::json;

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store, no-cache");
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

std::string trimmed_authority(const identity_context& ctx) {
  auto out = ctx.authority;
  while (!out.empty() && out.back() == '/')
    out.pop_back();
  return out;
}

aad_error_context error_context(const identity_context& ctx, const httplib::Request& req) {
  auto correlation = req.get_header_value("client-request-id");
  if (correlation.empty())
    correlation = req.get_param_value("client-request-id");
  if (correlation.empty())
    correlation = keyvault::new_guid();
  return {trimmed_authority(ctx), keyvault::new_guid(), correlation, ctx.now()};
}

/// AAD's answer for discovery documents of a tenant it does not know.
bool unknown_tenant(const identity_context& ctx, const httplib::Request& req,
                    httplib::Response& res, const std::string& tenant) {
  if (ctx.clients->has_tenant(tenant))
    return false;
  auto err = aad_errors::tenant_not_found(tenant);
  err.error = "invalid_tenant";
  reply(res, err.status, to_json(err, error_context(ctx, req)));
  return true;
}

void token(const identity_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto tenant = req.matches[1].str();
  std::vector<std::string> urls{ctx.issuer->token_endpoint_for(tenant)};
  if (req.has_header("Host")) {
    auto authority = trimmed_authority(ctx);
    auto scheme = authority.substr(0, authority.find("://"));
    urls.push_back(scheme + "://" + req.get_header_value("Host") + req.path);
  }
  auto answer = token_endpoint{*ctx.clients, *ctx.issuer}.handle(tenant, req.body, urls,
                                                                 error_context(ctx, req));
  reply(res, answer.status, answer.body);
}

void managed_identity_token(const identity_context& ctx, const httplib::Request& req,
                            httplib::Response& res) {
  std::string_view query;
  if (auto q = req.target.find('?'); q != std::string::npos)
    query = std::string_view{req.target}.substr(q + 1);
  std::optional<std::string> metadata;
  if (req.has_header("Metadata"))
    metadata = req.get_header_value("Metadata");
  managed_identity_endpoint endpoint{*ctx.clients, *ctx.issuer, ctx.managed_identity};
  auto answer = endpoint.handle(query, metadata, ctx.now());
  reply(res, answer.status, answer.body);
}

void openid_configuration(const identity_context& ctx, const httplib::Request& req,
                          httplib::Response& res) {
  auto tenant = req.matches[1].str();
  if (unknown_tenant(ctx, req, res, tenant))
    return;
  reply(res, 200, ctx.issuer->openid_configuration(tenant));
}

void jwks(const identity_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (unknown_tenant(ctx, req, res, req.matches[1].str()))
    return;
  reply(res, 200, ctx.issuer->jwks());
}

void instance_discovery(const identity_context& ctx, const httplib::Request& req,
                        httplib::Response& res) {
  auto authority = trimmed_authority(ctx);
  auto host =
      authority.substr(authority.find("://") == std::string::npos ? 0 : authority.find("://") + 3);
  // MSAL passes its authorize URL, "<authority>/<tenant>/oauth2/v2.0/authorize".
  std::string tenant{dev_tenant};
  auto asked = req.get_param_value("authorization_endpoint");
  if (auto at = asked.find(host + "/"); at != std::string::npos) {
    auto rest = asked.substr(at + host.size() + 1);
    tenant = rest.substr(0, rest.find('/'));
  }
  reply(res, 200,
        {{"tenant_discovery_endpoint",
          authority + "/" + tenant + "/v2.0/.well-known/openid-configuration"},
         {"api-version", "1.1"},
         {"metadata", json::array({{{"preferred_network", host},
                                    {"preferred_cache", host},
                                    {"aliases", json::array({host})}}})}});
}

} // namespace

void register_identity_routes(httplib::Server& server, identity_context& context) {
  auto& ctx = context;
  server.Post(
      "/([^/]+)/oauth2/v2.0/token",
      [&ctx](const httplib::Request& req, httplib::Response& res) { token(ctx, req, res); });
  server.Get("/metadata/identity/oauth2/token",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               managed_identity_token(ctx, req, res);
             });
  server.Get("/common/discovery/instance",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               instance_discovery(ctx, req, res);
             });
  server.Get("/([^/]+)/v2.0/.well-known/openid-configuration",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               openid_configuration(ctx, req, res);
             });
  server.Get("/([^/]+)/discovery/v2.0/keys",
             [&ctx](const httplib::Request& req, httplib::Response& res) { jwks(ctx, req, res); });
}

} // namespace bulkd::emulator::identity
