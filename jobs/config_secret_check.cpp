#include "jobs/config_secret_check.hpp"

#include "clients/url.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <sys/stat.h>

namespace bulkd {

namespace {

bool loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool loopback_endpoint(const YAML::Node& node) {
  if (!node || !node.IsScalar())
    return false;
  auto parsed = parse_url(node.Scalar(), false);
  return parsed && loopback_host(parsed->host);
}

/// The endpoint a connection string names ("AccountEndpoint=...;"), empty if none.
std::string connection_string_endpoint(const std::string& text) {
  auto pos = text.find("AccountEndpoint=");
  if (pos == std::string::npos)
    return {};
  auto start = pos + std::string_view{"AccountEndpoint="}.size();
  auto end = text.find(';', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

struct checker {
  const std::string& file;
  mode_t mode;
  diagnostics out;

  void check(const YAML::Node& value, const std::string& path) {
    if (!value || !value.IsScalar() || value.Scalar().empty())
      return;
    if (value.Scalar().find("${") != std::string::npos)
      return; // a reference, resolved at load time
    char perms[8];
    std::snprintf(perms, sizeof perms, "%04o", static_cast<unsigned>(mode & 07777));
    diagnostic d;
    d.file = file;
    d.line = value.Mark().line + 1;
    d.column = value.Mark().column + 1;
    d.path = path;
    d.level = severity::warning;
    d.message = std::string{"a secret written as a literal value in a file other users can read "
                            "(mode "} +
                perms + "): chmod 600 " + file +
                ", or refer to it with ${credential:NAME}, ${env:NAME} or ${file:PATH}";
    out.push_back(std::move(d));
  }

  void credential(const YAML::Node& cred, const std::string& path) {
    if (cred && cred.IsMap())
      check(cred["client_secret"], path + ".credential.client_secret");
  }
};

} // namespace

diagnostics literal_secret_warnings(const std::string& file, std::string_view yaml, mode_t mode) {
  if ((mode & S_IROTH) == 0)
    return {};
  checker c{file, mode, {}};
  try {
    auto root = YAML::Load(std::string{yaml});
    if (!root.IsMap())
      return {};
    if (auto accounts = root["accounts"]; accounts && accounts.IsMap())
      for (auto it : accounts) {
        auto name = "accounts." + it.first.as<std::string>();
        auto& acct = it.second;
        if (!acct.IsMap())
          continue;
        if (auto cs = acct["connection_string"]; cs && cs.IsScalar()) {
          auto endpoint = connection_string_endpoint(cs.Scalar());
          auto parsed = parse_url(endpoint, false);
          if (!(parsed && loopback_host(parsed->host)))
            c.check(cs, name + ".connection_string");
        }
        if (loopback_endpoint(acct["endpoint"]))
          continue;
        c.check(acct["key"], name + ".key");
        c.credential(acct["credential"], name);
      }
    if (auto vaults = root["vaults"]; vaults && vaults.IsMap())
      for (auto it : vaults) {
        auto& vault = it.second;
        if (!vault.IsMap() || loopback_endpoint(vault["url"]))
          continue;
        c.credential(vault["credential"], "vaults." + it.first.as<std::string>());
      }
    if (auto admin = root["admin"]; admin && admin.IsMap())
      c.check(admin["token"], "admin.token");
  } catch (const YAML::Exception&) {
    return {};
  }
  return std::move(c.out);
}

} // namespace bulkd
