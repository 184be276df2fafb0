#include "clients/keyvault/key_requests.hpp"

#include "clients/base64url.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace bulkd::keyvault {

namespace {

constexpr size_t max_key_name = 127;

http_request make(const vault& v, std::string method, std::string path, std::string query = {}) {
  http_request req;
  req.method = std::move(method);
  req.origin = v.base.origin();
  req.target = std::move(path) + "?api-version=" + v.api_version;
  if (!query.empty())
    req.target += "&" + query;
  req.headers.set("Accept", "application/json");
  return req;
}

caf::error check_maxresults(int maxresults) {
  if (maxresults < min_maxresults || maxresults > max_maxresults)
    return make_error(ec::invalid_argument, "maxresults " + std::to_string(maxresults) +
                                                " is out of range (expected 1-25)");
  return caf::none;
}

caf::error check_version(std::string_view version) {
  for (unsigned char c : version)
    if (!std::isalnum(c))
      return make_error(ec::invalid_argument, "invalid key version \"" + std::string{version} +
                                                  "\" (expected letters and digits only)");
  return caf::none;
}

bool has_query_parameter(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos)
    return false;
  auto query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == name)
      return true;
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

} // namespace

caf::error check_key_name(std::string_view name) {
  if (name.empty())
    return make_error(ec::invalid_argument, "empty key name");
  if (name.size() > max_key_name)
    return make_error(ec::invalid_argument, "key name of " + std::to_string(name.size()) +
                                                " characters is too long (at most 127)");
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '-')
      return make_error(ec::invalid_argument, "invalid key name \"" + std::string{name} +
                                                  "\" (expected letters, digits and '-')");
  return caf::none;
}

caf::expected<http_request> list_keys(const vault& v, int maxresults) {
  if (auto err = check_maxresults(maxresults))
    return err;
  return make(v, "GET", "/keys", "maxresults=" + std::to_string(maxresults));
}

caf::expected<http_request> list_key_versions(const vault& v, std::string_view name,
                                              int maxresults) {
  if (auto err = check_key_name(name))
    return err;
  if (auto err = check_maxresults(maxresults))
    return err;
  return make(v, "GET", "/keys/" + std::string{name} + "/versions",
              "maxresults=" + std::to_string(maxresults));
}

caf::expected<http_request> list_deleted_keys(const vault& v, int maxresults) {
  if (auto err = check_maxresults(maxresults))
    return err;
  return make(v, "GET", "/deletedkeys", "maxresults=" + std::to_string(maxresults));
}

caf::expected<http_request> next_page(const vault& v, std::string_view next_link) {
  auto link = parse_url(next_link);
  if (!link)
    return make_error(ec::parse_error, "invalid nextLink: " + cosmos::error_message(link.error()));
  if (link->host != v.base.host || link->port != v.base.port)
    return make_error(ec::parse_error, "nextLink \"" + std::string{next_link} +
                                           "\" leaves the vault " + v.base.host_port());
  if (link->scheme != "https" && v.base.scheme == "https")
    return make_error(ec::parse_error, "nextLink \"" + std::string{next_link} + "\" is not https");
  http_request req;
  req.origin = link->origin();
  req.target = std::move(link->target);
  if (!has_query_parameter(req.target, "api-version"))
    req.target += (req.target.find('?') == std::string::npos ? "?" : "&") +
                  std::string{"api-version="} + v.api_version;
  req.headers.set("Accept", "application/json");
  return req;
}

caf::expected<http_request> get_key(const vault& v, std::string_view name,
                                    std::string_view version) {
  if (auto err = check_key_name(name))
    return err;
  if (auto err = check_version(version))
    return err;
  return make(v, "GET", "/keys/" + std::string{name} + "/" + std::string{version});
}

caf::expected<http_request> backup_key(const vault& v, std::string_view name) {
  if (auto err = check_key_name(name))
    return err;
  return make(v, "POST", "/keys/" + std::string{name} + "/backup");
}

caf::expected<http_request> restore_key(const vault& v, std::string_view blob) {
  if (blob.empty())
    return make_error(ec::invalid_argument, "empty backup blob");
  auto req = make(v, "POST", "/keys/restore");
  req.headers.set("Content-Type", "application/json");
  req.body = nlohmann::json{{"value", base64url_encode(blob)}}.dump();
  return req;
}

caf::expected<http_request> delete_key(const vault& v, std::string_view name) {
  if (auto err = check_key_name(name))
    return err;
  return make(v, "DELETE", "/keys/" + std::string{name});
}

caf::expected<http_request> get_deleted_key(const vault& v, std::string_view name) {
  if (auto err = check_key_name(name))
    return err;
  return make(v, "GET", "/deletedkeys/" + std::string{name});
}

caf::expected<http_request> purge_deleted_key(const vault& v, std::string_view name) {
  if (auto err = check_key_name(name))
    return err;
  return make(v, "DELETE", "/deletedkeys/" + std::string{name});
}

caf::expected<http_request> recover_deleted_key(const vault& v, std::string_view name) {
  if (auto err = check_key_name(name))
    return err;
  return make(v, "POST", "/deletedkeys/" + std::string{name} + "/recover");
}

} // namespace bulkd::keyvault
