#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/log.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "emulator/cosmos/store.hpp"
#include "emulator/faults.hpp"
#include "emulator/identity/client_registry.hpp"
#include "emulator/identity/routes.hpp"
#include "emulator/identity/token_issuer.hpp"
#include "emulator/keyvault/key_material.hpp"
#include "emulator/keyvault/key_store.hpp"
#include "emulator/keyvault/routes.hpp"
#include "emulator/server.hpp"
#include "emulator/tls_certificate.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <optional>
#include <pthread.h>
#include <sys/socket.h>
#include <system_error>
#include <thread>
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

// A free port for `bind`: the identity and Key Vault parts need the emulator's URL (token issuer,
// challenge, kids) before the server starts, so port 0 is resolved here. Another process could
// take the port in between; the caller retries then.
uint16_t free_port(const std::string& bind) {
  bool v6 = bind.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return 0;
  uint16_t port = 0;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    socklen_t len = sizeof(a);
    if (::inet_pton(AF_INET6, bind.c_str(), &a.sin6_addr) == 1 &&
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin6_port);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    socklen_t len = sizeof(a);
    if (::inet_pton(AF_INET, bind.c_str(), &a.sin_addr) == 1 &&
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// Key Vault's share of --faults: the same probabilities, drawn by an injector of its own, answered
// in Key Vault's error shape. Latency and resets happen here too.
std::function<int(const httplib::Request&)> keyvault_fault_hook(const emulator::fault_spec& spec) {
  if (!spec.any())
    return {};
  auto injector = std::make_shared<emulator::fault_injector>(spec);
  return [injector](const httplib::Request& req) {
    if (auto latency = injector->spec().latency; latency.count() > 0)
      std::this_thread::sleep_for(latency);
    switch (injector->next()) {
    case emulator::fault_kind::throttle:
      return 429;
    case emulator::fault_kind::unavailable:
      return 503;
    case emulator::fault_kind::reset:
      // The answer written after the reset goes nowhere.
      emulator::reset_connection(req);
      return 503;
    case emulator::fault_kind::none:
      break;
    }
    return 0;
  };
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
  std::string key_store_path = ":memory:";
  if (!opts.in_memory)
    key_store_path = (std::filesystem::path{opts.data_dir} / "keyvault.sqlite").string();
  auto key_store = emulator::keyvault::key_store::open(key_store_path);
  if (!key_store)
    return fail(exit_code::failed, bulkd::cosmos::error_message(key_store.error()));
  emulator::identity::client_registry clients;
  for (const auto& file : opts.clients_files)
    if (auto err = clients.load_file(file))
      return fail(exit_code::bad_input, "--clients: " + bulkd::cosmos::error_message(err));
  // The token signing key lives as long as the process: tokens do not survive a restart.
  auto signing_key = emulator::keyvault::key_material::generate({"RSA", 2048, {}, {}});
  if (!signing_key)
    return fail(exit_code::failed, bulkd::cosmos::error_message(signing_key.error()));
  emulator::tls_files tls;
  std::string temporary_cert_dir; // removed at exit
  if (opts.tls) {
    // In memory, the certificate still needs a home: a fresh private directory.
    std::string cert_dir = opts.data_dir;
    if (opts.in_memory) {
      std::string templ =
          (std::filesystem::temp_directory_path() / "bulkd-emulator-XXXXXX").string();
      if (::mkdtemp(templ.data()) == nullptr)
        return fail(exit_code::failed, "cannot create a directory for the TLS certificate");
      cert_dir = templ;
      temporary_cert_dir = templ;
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
  // Everything that names the emulator's URL is built per attempt: with --port 0 the port picked
  // beforehand may be taken by the time the server binds it.
  std::unique_ptr<emulator::server> server;
  std::optional<emulator::identity::token_issuer> issuer;
  emulator::keyvault::keyvault_context kv_ctx;
  emulator::identity::identity_context id_ctx;
  caf::expected<uint16_t> port{uint16_t{0}};
  std::string url;
  for (int attempt = 0; attempt < 5; ++attempt) {
    uint16_t wanted = opts.port != 0 ? opts.port : free_port(opts.bind);
    if (wanted == 0)
      return fail(exit_code::unavailable, "no free port to listen on at " + opts.bind);
    url = endpoint_for(opts.bind, wanted, opts.tls);
    url.pop_back(); // no trailing slash in authorities and kids
    auto made = emulator::identity::token_issuer::make(*signing_key, {url, 3600, 60});
    if (!made)
      return fail(exit_code::failed, bulkd::cosmos::error_message(made.error()));
    server.reset();
    issuer.emplace(std::move(*made));
    kv_ctx = {};
    kv_ctx.store = key_store->get();
    kv_ctx.issuer = &*issuer;
    kv_ctx.vault_url = url;
    kv_ctx.authority = url;
    kv_ctx.fault = keyvault_fault_hook(*faults);
    kv_ctx.throttle_retry_after_ms = faults->retry_after.count();
    id_ctx = {};
    id_ctx.clients = &clients;
    id_ctx.issuer = &*issuer;
    id_ctx.authority = url;
    emulator::server_config config;
    config.host = opts.bind;
    config.port = wanted;
    config.faults = *faults;
    config.fault_scope = [](const std::string& path) {
      return emulator::cosmos::is_cosmos_path(path);
    };
    config.tls = tls;
    server = std::make_unique<emulator::server>(config);
    (*cosmos)->register_routes(server->http());
    emulator::identity::register_identity_routes(server->http(), id_ctx);
    emulator::keyvault::register_keyvault_routes(server->http(), kv_ctx);
    port = server->start();
    if (port || opts.port != 0)
      break;
  }
  if (!port)
    return fail(exit_code::unavailable, bulkd::cosmos::error_message(port.error()));

  std::string tls_line;
  if (opts.tls)
    tls_line = "  tls cert:   " + tls.certificate + " (self-signed; trust it as a CA)\n";
  std::string data =
      opts.in_memory ? std::string{"in memory (lost at exit)"} : store_path + ", " + key_store_path;
  std::printf("bulkd emulator (development and tests only, not for production)\n"
              "  endpoint:   %s\n"
              "  cosmos key: %s\n"
              "  key vault:  %s (token audience %s)\n"
              "  identity:   authority %s, tenant %s\n"
              "  dev client: client id %s, secret %s (%zu client(s) registered)\n"
              "  data:       %s\n"
              "  ranges:     %u per new container\n"
              "  faults:     %s\n"
              "%s"
              "Stop with Ctrl-C or SIGTERM.\n",
              endpoint_for(opts.bind, *port, opts.tls).c_str(), (*cosmos)->config().key.c_str(),
              kv_ctx.vault_url.c_str(), kv_ctx.resource.c_str(), url.c_str(),
              std::string{emulator::identity::dev_tenant}.c_str(),
              std::string{emulator::identity::dev_client_id}.c_str(),
              std::string{emulator::identity::dev_client_secret}.c_str(), clients.size(),
              data.c_str(), opts.ranges, emulator::to_string(*faults).c_str(), tls_line.c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::printf("bulkd emulator: %s received, stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  server->stop();
  if (!temporary_cert_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(temporary_cert_dir, ignored);
  }
  return exit_code::ok;
}

} // namespace bulkd
