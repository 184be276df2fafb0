#include "daemon/admin_server.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/daemon_runtime.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/log.hpp"
#include "jobs/spec_loader.hpp"

#include <cstdio>
#include <tuple>

namespace bulkd {

namespace {

void print_diagnostics(const diagnostics& diags) {
  for (auto& d : diags)
    std::fprintf(stderr, "%s\n", render(d).c_str());
}

} // namespace

int run_serve(const serve_options& opts) {
  if (opts.dev)
    return not_implemented("serve --dev", "the embedded emulator comes with the emulator work; "
                                          "run `bulkd serve --config config/dev/bulkd.yaml` "
                                          "against a separately started endpoint meanwhile");
  auto config = load_daemon_config(opts.config);
  print_diagnostics(config.diags);
  if (!config.ok())
    return exit_code::bad_input;
  if (!opts.admin_listen.empty()) {
    auto listen = parse_listen_address(opts.admin_listen);
    if (!listen) {
      std::fprintf(stderr, "bulkd serve: --admin-listen: %s\n", render(listen.error()).c_str());
      return exit_code::bad_input;
    }
    std::tie(config.value->admin.host, config.value->admin.port) = *listen;
    if (!is_loopback_host(config.value->admin.host) && config.value->admin.token.empty()) {
      std::fprintf(stderr, "bulkd serve: --admin-listen %s is not loopback: set admin.token in "
                           "the config first\n",
                   opts.admin_listen.c_str());
      return exit_code::bad_input;
    }
  }
  auto jobs = load_configured_jobs(*config.value);
  print_diagnostics(jobs.diags);
  if (!jobs.ok())
    return exit_code::bad_input;
  configure_logging(to_spdlog_level(config.value->log.level), config.value->log.format);
  return run_daemon(*config.value, *jobs.value);
}

} // namespace bulkd
