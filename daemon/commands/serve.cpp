#include "daemon/admin_server.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/daemon_runtime.hpp"
#include "daemon/dev_emulator.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/log.hpp"
#include "daemon/signal_thread.hpp"
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
  auto config = load_daemon_config(opts.dev ? dev_config_path(opts.config) : opts.config);
  print_diagnostics(config.diags);
  if (!config.ok())
    return exit_code::bad_input;
  std::unique_ptr<dev_emulator> emulator;
  if (opts.dev) {
    block_shutdown_signals(); // before the emulator's threads exist: they inherit the mask
    emulator = start_dev_emulator("serve", *config.value, opts.config == default_config_path);
    if (!emulator)
      return exit_code::unavailable;
  }
  if (!opts.admin_listen.empty()) {
    auto listen = parse_listen_address(opts.admin_listen);
    if (!listen) {
      std::fprintf(stderr, "bulkd serve: --admin-listen: %s\n", render(listen.error()).c_str());
      return exit_code::bad_input;
    }
    std::tie(config.value->admin.host, config.value->admin.port) = *listen;
    if (!is_loopback_host(config.value->admin.host) && config.value->admin.token.empty()) {
      std::fprintf(stderr,
                   "bulkd serve: --admin-listen %s is not loopback: set admin.token in "
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
  // run_daemon returns once every job has drained; the emulator they talk to stops after that.
  auto rc = run_daemon(*config.value, *jobs.value);
  emulator.reset();
  return rc;
}

} // namespace bulkd
