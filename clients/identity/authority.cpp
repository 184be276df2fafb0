#include "clients/identity/authority.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/http_headers.hpp"
#include "clients/url.hpp"

#include <algorithm>
#include <cctype>

namespace bulkd::identity {

namespace {

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0 ||
         (host.size() > 10 && host.ends_with(".localhost"));
}

} // namespace

caf::error check_tenant(std::string_view tenant) {
  if (tenant.empty())
    return make_error(ec::invalid_argument, "empty tenant id");
  if (tenant.size() > 256)
    return make_error(ec::invalid_argument, "tenant id is too long");
  for (unsigned char c : tenant)
    if (!std::isalnum(c) && c != '.' && c != '-' && c != '_')
      return make_error(ec::invalid_argument, "invalid tenant id \"" + std::string{tenant} +
                                                  "\" (expected letters, digits, '.', '-', '_')");
  // The tenant is a path segment of the token endpoint: "." and ".." would leave the tenant's path.
  if (tenant == "." || tenant == "..")
    return make_error(ec::invalid_argument, "invalid tenant id \"" + std::string{tenant} +
                                                "\" (a path segment, not a tenant)");
  return caf::none;
}

caf::expected<std::string> normalize_authority_host(std::string_view authority_host) {
  if (authority_host.empty())
    authority_host = default_authority_host;
  auto u = parse_url(authority_host);
  if (!u)
    return make_error(ec::invalid_argument,
                      "invalid authority host: " + cosmos::error_message(u.error()));
  if (u->target.find('?') != std::string::npos)
    return make_error(ec::invalid_argument,
                      "authority host \"" + std::string{authority_host} + "\" has a query");
  if (u->scheme != "https" && !is_loopback(u->host))
    return make_error(ec::invalid_argument,
                      "authority host \"" + std::string{authority_host} +
                          "\" must use https (http only on loopback, for the emulator)");
  auto path = u->target;
  while (!path.empty() && path.back() == '/')
    path.pop_back();
  bool default_port =
      (u->scheme == "https" && u->port == 443) || (u->scheme == "http" && u->port == 80);
  auto host = u->host.find(':') != std::string::npos ? "[" + u->host + "]" : u->host;
  return u->scheme + "://" + (default_port ? host : u->host_port()) + path;
}

std::string token_endpoint(std::string_view authority_host, std::string_view tenant) {
  std::string out{authority_host};
  while (!out.empty() && out.back() == '/')
    out.pop_back();
  if (iequals(tenant, "adfs"))
    return out + "/adfs/oauth2/token";
  return out + "/" + std::string{tenant} + "/oauth2/v2.0/token";
}

caf::expected<std::string> resolve_tenant(std::string_view configured, std::string_view requested,
                                          const std::vector<std::string>& additionally_allowed) {
  if (requested.empty() || iequals(requested, configured))
    return std::string{configured};
  if (auto err = check_tenant(requested))
    return err;
  if (iequals(configured, "adfs"))
    return std::string{configured};
  for (auto& t : additionally_allowed)
    if (t == "*" || iequals(t, requested))
      return std::string{requested};
  return make_error(ec::unauthorized,
                    "the vault asks for a token of tenant \"" + std::string{requested} +
                        "\", not the configured tenant \"" + std::string{configured} +
                        "\" (allow it in additionally_allowed_tenants)");
}

} // namespace bulkd::identity
