#include "jobs/spec_emitter.hpp"

namespace bulkd {

std::string print_daemon_config(const daemon_config& config, print_options opts) {
  detail::spec_emitter e{opts};
  e.begin_map();
  e.field("state_dir", config.state_dir);
  e.field("jobs_dir", config.jobs_dir);
  e.field("shutdown_timeout", config.shutdown_timeout);
  e.begin_map("admin");
  auto host = config.admin.host.find(':') != std::string::npos ? "[" + config.admin.host + "]"
                                                               : config.admin.host;
  e.field("listen", host + ":" + std::to_string(config.admin.port));
  if (!config.admin.token.empty())
    e.field("token", config.admin.token);
  e.end_map();
  e.begin_map("log");
  e.enum_field("level", config.log.level);
  e.enum_field("format", config.log.format);
  e.end_map();
  if (!config.accounts.empty()) {
    e.begin_map("accounts");
    for (auto& [name, a] : config.accounts) {
      e.begin_map(name);
      switch (a.auth) {
      case account_auth::connection_string:
        e.field("connection_string", a.connection_string);
        break;
      case account_auth::key:
        e.field("endpoint", a.endpoint);
        e.field("key", a.key);
        break;
      case account_auth::credential:
        e.field("endpoint", a.endpoint);
        e.credential(a.credential);
        break;
      }
      e.tls(a.tls);
      e.end_map();
    }
    e.end_map();
  }
  if (!config.vaults.empty()) {
    e.begin_map("vaults");
    for (auto& [name, v] : config.vaults) {
      e.begin_map(name);
      e.field("url", v.url);
      e.credential(v.credential);
      e.tls(v.tls);
      e.end_map();
    }
    e.end_map();
  }
  e.end_map();
  return e.str() + "\n";
}

} // namespace bulkd
