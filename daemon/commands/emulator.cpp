#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/log.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "emulator/cosmos/store.hpp"
#include "emulator/faults.hpp"
#include "emulator/server.hpp"
#include "emulator/tls_certificate.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <pthread.h>
#include <system_error>
#include <unistd.h>

namespace bulkd {

namespace {

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "bulkd emulator: %s\n", message.c_str());
  return code;
}

// The endpoint clients use: a wildcard bind address is reached over loopback.
std::string endpoint_for(const std::string& bind, uint16_t port, bool tls) {
  std::string host = bind;
  if (host == "0.0.0.0")
    host = "127.0.0.1";
  else if (host == "::")
    host = "::1";
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(port) + "/";
}

} // namespace

int run_emulator(const emulator_options& opts) {
  if (opts.data_dir.empty() && !opts.in_memory)
    return fail(exit_code::bad_input, "give --data-dir DIR (data kept across restarts) or "
                                      "--in-memory");
  auto faults = emulator::parse_faults(opts.faults);
  if (!faults)
    return fail(exit_code::bad_input, bulkd::cosmos::error_message(faults.error()));

  std::string store_path = ":memory:";
  if (!opts.in_memory) {
    std::error_code ec;
    std::filesystem::create_directories(opts.data_dir, ec);
    if (ec)
      return fail(exit_code::failed,
                  "cannot create --data-dir " + opts.data_dir + ": " + ec.message());
    std::filesystem::permissions(opts.data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    store_path = (std::filesystem::path{opts.data_dir} / "cosmos.sqlite").string();
  }
  auto store = emulator::cosmos::store::open(store_path);
  if (!store)
    return fail(exit_code::failed, bulkd::cosmos::error_message(store.error()));
  emulator::tls_files tls;
  if (opts.tls) {
    // In memory, the certificate still needs a home: a fresh private directory.
    std::string cert_dir = opts.data_dir;
    if (opts.in_memory) {
      std::string templ =
          (std::filesystem::temp_directory_path() / "bulkd-emulator-XXXXXX").string();
      if (::mkdtemp(templ.data()) == nullptr)
        return fail(exit_code::failed, "cannot create a directory for the TLS certificate");
      cert_dir = templ;
    }
    auto files = emulator::ensure_self_signed_certificate(cert_dir);
    if (!files)
      return fail(exit_code::failed, bulkd::cosmos::error_message(files.error()));
    tls = *files;
  }
  emulator::cosmos::cosmos_config cosmos_config;
  cosmos_config.scheme = opts.tls ? "https" : "http";
  cosmos_config.key = opts.cosmos_key;
  cosmos_config.ranges = opts.ranges;
  auto cosmos = emulator::cosmos::cosmos_service::make(cosmos_config, std::move(*store));
  if (!cosmos)
    return fail(exit_code::bad_input, bulkd::cosmos::error_message(cosmos.error()));

  // Block the stop signals before the server's threads exist, so that they inherit the mask and
  // only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  configure_logging(spdlog::level::info, log_format::logfmt);
  emulator::server_config config;
  config.host = opts.bind;
  config.port = opts.port;
  config.faults = *faults;
  config.tls = tls;
  emulator::server server{config};
  (*cosmos)->register_routes(server.http());
  auto port = server.start();
  if (!port)
    return fail(exit_code::unavailable, bulkd::cosmos::error_message(port.error()));

  std::string tls_line;
  if (opts.tls)
    tls_line = "  tls cert:   " + tls.certificate + " (self-signed; trust it as a CA)\n";
  std::printf("bulkd emulator (development and tests only, not for production)\n"
              "  endpoint:   %s\n"
              "  cosmos key: %s\n"
              "  data:       %s\n"
              "  ranges:     %u per new container\n"
              "  faults:     %s\n"
              "%s"
              "Stop with Ctrl-C or SIGTERM.\n",
              endpoint_for(opts.bind, *port, opts.tls).c_str(), (*cosmos)->config().key.c_str(),
              opts.in_memory ? "in memory (lost at exit)" : store_path.c_str(), opts.ranges,
              emulator::to_string(*faults).c_str(), tls_line.c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::printf("bulkd emulator: %s received, stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  server.stop();
  return exit_code::ok;
}

} // namespace bulkd
