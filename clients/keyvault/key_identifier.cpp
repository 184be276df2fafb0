#include "clients/keyvault/key_identifier.hpp"

#include "clients/error.hpp"
#include "clients/url.hpp"

#include <vector>

namespace bulkd::keyvault {

caf::expected<key_identifier> parse_key_identifier(std::string_view id) {
  auto bad = [id](std::string why) {
    return make_error(ec::parse_error,
                      "invalid key identifier \"" + std::string{id} + "\": " + std::move(why));
  };
  auto u = parse_url(id);
  if (!u)
    return bad("not an http(s) URL");
  if (u->target.find('?') != std::string::npos)
    return bad("unexpected query");
  std::vector<std::string> segments;
  std::string_view path{u->target};
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    segments.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash + 1);
  }
  // "/keys/name/" (trailing slash) is the same as "/keys/name".
  if (segments.size() == 3 && segments[2].empty())
    segments.pop_back();
  key_identifier result;
  bool default_port =
      (u->scheme == "https" && u->port == 443) || (u->scheme == "http" && u->port == 80);
  auto host = u->host.find(':') != std::string::npos ? "[" + u->host + "]" : u->host;
  result.vault_url = default_port ? u->scheme + "://" + host : u->origin();
  if (segments.size() < 2 || (segments[0] != "keys" && segments[0] != "deletedkeys"))
    return bad("expected the path /keys/{name}[/{version}] or /deletedkeys/{name}");
  if (segments[0] == "deletedkeys" && segments.size() != 2)
    return bad("expected the path /deletedkeys/{name}");
  if (segments.size() > 3)
    return bad("too many path segments");
  for (auto& s : segments)
    if (s.empty())
      return bad("empty path segment");
  result.collection = segments[0];
  result.name = segments[1];
  if (segments.size() == 3)
    result.version = segments[2];
  return result;
}

} // namespace bulkd::keyvault
