#include "daemon/dev_emulator.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "daemon/commands/options.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "emulator/cosmos/store.hpp"
#include "emulator/identity/client_registry.hpp"
#include "emulator/identity/routes.hpp"
#include "emulator/identity/token_issuer.hpp"
#include "emulator/keyvault/key_material.hpp"
#include "emulator/keyvault/key_store.hpp"
#include "emulator/keyvault/routes.hpp"
#include "emulator/server.hpp"

#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <netinet/in.h>
#include <optional>
#include <regex>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace bulkd {

namespace fs = std::filesystem;

struct dev_emulator::parts {
  std::unique_ptr<emulator::cosmos::cosmos_service> cosmos;
  std::unique_ptr<emulator::keyvault::key_store> keys;
  emulator::identity::client_registry clients;
  std::optional<emulator::identity::token_issuer> issuer;
  emulator::keyvault::keyvault_context kv_ctx;
  emulator::identity::identity_context id_ctx;
  std::unique_ptr<emulator::server> server;
  uint16_t port = 0;
  std::string url;
};

namespace {

// The identity and Key Vault parts name the emulator's URL before the server starts, so port 0
// is resolved here; another process may take it in between (the caller retries).
uint16_t free_port(const std::string& bind) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  socklen_t len = sizeof(a);
  uint16_t port = 0;
  if (::inet_pton(AF_INET, bind.c_str(), &a.sin_addr) == 1 &&
      ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

caf::error as_error(const caf::error& err, const std::string& what) {
  return make_error(ec::connection_failed, what + ": " + cosmos::error_message(err));
}

} // namespace

caf::expected<std::unique_ptr<dev_emulator>> dev_emulator::start(const dev_emulator_options& opts) {
  if (opts.bind.find(':') != std::string::npos)
    return make_error(ec::invalid_argument, "the embedded emulator listens on IPv4 only");
  std::string cosmos_path = ":memory:";
  std::string keys_path = ":memory:";
  if (!opts.data_dir.empty()) {
    std::error_code ec;
    fs::create_directories(opts.data_dir, ec);
    if (ec)
      return make_error(ec::io_error, "cannot create the emulator's data dir " + opts.data_dir +
                                          ": " + ec.message());
    fs::permissions(opts.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    cosmos_path = (fs::path{opts.data_dir} / "cosmos.sqlite").string();
    keys_path = (fs::path{opts.data_dir} / "keyvault.sqlite").string();
  }
  auto p = std::make_unique<parts>();
  auto store = emulator::cosmos::store::open(cosmos_path);
  if (!store)
    return as_error(store.error(), "the emulator's Cosmos store");
  auto keys = emulator::keyvault::key_store::open(keys_path);
  if (!keys)
    return as_error(keys.error(), "the emulator's key store");
  p->keys = std::move(*keys);
  emulator::cosmos::cosmos_config cosmos_config;
  cosmos_config.scheme = "http";
  cosmos_config.ranges = opts.ranges;
  auto cosmos = emulator::cosmos::cosmos_service::make(cosmos_config, std::move(*store));
  if (!cosmos)
    return as_error(cosmos.error(), "the emulator's Cosmos service");
  p->cosmos = std::move(*cosmos);
  auto signing_key = emulator::keyvault::key_material::generate({"RSA", 2048, {}, {}});
  if (!signing_key)
    return as_error(signing_key.error(), "the emulator's token signing key");

  caf::expected<uint16_t> port{uint16_t{0}};
  for (int attempt = 0; attempt < 5; ++attempt) {
    uint16_t wanted = opts.port != 0 ? opts.port : free_port(opts.bind);
    if (wanted == 0)
      return make_error(ec::connection_failed, "no free port to listen on at " + opts.bind);
    p->url = "http://" + opts.bind + ":" + std::to_string(wanted);
    auto issuer = emulator::identity::token_issuer::make(*signing_key, {p->url, 3600, 60});
    if (!issuer)
      return as_error(issuer.error(), "the emulator's token issuer");
    p->server.reset();
    p->issuer.emplace(std::move(*issuer));
    p->kv_ctx = {};
    p->kv_ctx.store = p->keys.get();
    p->kv_ctx.issuer = &*p->issuer;
    p->kv_ctx.vault_url = p->url;
    p->kv_ctx.authority = p->url;
    p->id_ctx = {};
    p->id_ctx.clients = &p->clients;
    p->id_ctx.issuer = &*p->issuer;
    p->id_ctx.authority = p->url;
    emulator::server_config config;
    config.host = opts.bind;
    config.port = wanted;
    config.threads = 32;
    p->server = std::make_unique<emulator::server>(config);
    p->cosmos->register_routes(p->server->http());
    emulator::identity::register_identity_routes(p->server->http(), p->id_ctx);
    emulator::keyvault::register_keyvault_routes(p->server->http(), p->kv_ctx);
    port = p->server->start();
    if (port || opts.port != 0)
      break;
  }
  if (!port)
    return make_error(ec::connection_failed, "the embedded emulator cannot listen on " + opts.bind +
                                                 ":" + std::to_string(opts.port) + ": " +
                                                 cosmos::error_message(port.error()));
  p->port = *port;
  return std::unique_ptr<dev_emulator>{new dev_emulator{std::move(p)}};
}

dev_emulator::dev_emulator(std::unique_ptr<parts> p) : parts_(std::move(p)) {}

dev_emulator::~dev_emulator() {
  stop();
}

void dev_emulator::stop() {
  if (parts_->server)
    parts_->server->stop();
}

uint16_t dev_emulator::port() const {
  return parts_->port;
}

const std::string& dev_emulator::url() const {
  return parts_->url;
}

caf::expected<uint16_t> dev_profile_port(const daemon_config& config) {
  std::string endpoint;
  if (auto i = config.accounts.find("dev"); i != config.accounts.end())
    endpoint = i->second.endpoint;
  else if (!config.accounts.empty())
    endpoint = config.accounts.begin()->second.endpoint;
  else if (!config.vaults.empty())
    endpoint = config.vaults.begin()->second.url;
  if (endpoint.empty())
    return make_error(ec::invalid_argument,
                      "the development profile names no account or vault endpoint");
  static const std::regex with_port{R"(^https?://[^/:]+:(\d+)(/.*)?$)"};
  std::smatch m;
  if (!std::regex_match(endpoint, m, with_port))
    return uint16_t{0};
  auto n = std::stoul(m[1].str().substr(0, 6));
  if (n > 65535)
    return make_error(ec::invalid_argument, "bad port in " + endpoint);
  return static_cast<uint16_t>(n);
}

void point_at_emulator(daemon_config& config, const std::string& url) {
  auto repoint = [&](credential_spec& cred) {
    if (cred.type == credential_type::client_secret ||
        cred.type == credential_type::client_certificate)
      cred.authority_host = url;
  };
  for (auto& [name, account] : config.accounts) {
    account.endpoint = url;
    repoint(account.credential);
  }
  for (auto& [name, vault] : config.vaults) {
    vault.url = url;
    repoint(vault.credential);
  }
}

std::unique_ptr<dev_emulator> start_dev_emulator(const std::string& command, daemon_config& config,
                                                 bool fresh_state) {
  if (fresh_state) {
    auto templ = (fs::temp_directory_path() / "bulkd-dev-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) {
      std::fprintf(stderr, "bulkd %s --dev: cannot create a state directory in %s\n",
                   command.c_str(), fs::temp_directory_path().c_str());
      return nullptr;
    }
    config.state_dir = templ;
    std::fprintf(stderr, "bulkd %s --dev: state (checkpoints, leases, sinks) in %s\n",
                 command.c_str(), templ.c_str());
  }
  auto port = dev_profile_port(config);
  if (!port) {
    std::fprintf(stderr, "bulkd %s --dev: %s\n", command.c_str(), render(port.error()).c_str());
    return nullptr;
  }
  auto emulator =
      dev_emulator::start({.bind = "127.0.0.1", .port = *port, .data_dir = {}, .ranges = 4});
  if (!emulator) {
    std::fprintf(stderr,
                 "bulkd %s --dev: cannot start the embedded emulator on 127.0.0.1:%u (is another "
                 "emulator or bulkd --dev running? give a profile whose endpoints name another "
                 "port, or port 0 for any): %s\n",
                 command.c_str(), static_cast<unsigned>(*port), render(emulator.error()).c_str());
    return nullptr;
  }
  point_at_emulator(config, (*emulator)->url());
  std::fprintf(stderr,
               "bulkd %s --dev: embedded emulator (development only, data in memory) at %s\n",
               command.c_str(), (*emulator)->url().c_str());
  return std::move(*emulator);
}

std::string dev_config_path(const std::string& given) {
  if (!given.empty() && given != default_config_path)
    return given;
  auto built = fs::path{BULKD_EXAMPLES_DIR} / "dev" / "bulkd.yaml";
  if (!fs::exists(built) && fs::exists("/usr/share/bulkd/examples/dev/bulkd.yaml"))
    return "/usr/share/bulkd/examples/dev/bulkd.yaml";
  return built.string();
}

} // namespace bulkd
