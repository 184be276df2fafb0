#pragma once

// The emulator's HTTP server: one httplib::Server on its own thread with a large thread pool,
// keep-alive, fault injection, x-ms-activity-id on every answer and Cosmos-shaped JSON errors for
// anything no route handles. The Cosmos routes (emulator/cosmos/cosmos_service.hpp) and the Key
// Vault routes (emulator/keyvault/routes.hpp) register themselves on http() before start().
//
//   bulkd::emulator::server_config config;
//   config.port = 0;
//   bulkd::emulator::server srv{config};
//   cosmos_service->register_routes(srv.http());
//   bulkd::emulator::keyvault::register_keyvault_routes(srv.http(), kv_context);
//   auto port = srv.start(); // caf::expected<uint16_t>
//   ...
//   srv.stop();
//
// With tls.certificate set it serves HTTPS (httplib::SSLServer); see tls_certificate.hpp for the
// self-signed pair.

#include "emulator/faults.hpp"
#include "emulator/tls_certificate.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace bulkd::emulator {

struct server_config {
  std::string host = "127.0.0.1";
  uint16_t port = 8081; // 0: an ephemeral port, see server::port()
  // httplib serves a connection on one pool thread until it closes (an idle keep-alive connection
  // holds its thread until keep_alive_timeout), so the pool bounds the connections served at once;
  // more wait in the queue.
  size_t threads = 128;
  int backlog = 512; // Debian's compiled httplib listens with a backlog of 5
  std::chrono::seconds keep_alive_timeout{5};
  size_t max_body_bytes = 16u << 20; // documents are limited to 2 MB by the Cosmos routes
  fault_spec faults;
  /// Which requests the faults apply to (by path); empty: all. The 429/503 bodies are Cosmos'
  /// shape, so a Key Vault mounted on the same server may prefer its own fault hook (its
  /// keyvault_context::fault) with a fault_injector of its own, and this set to
  /// cosmos::is_cosmos_path.
  std::function<bool(const std::string& path)> fault_scope;
  tls_files tls; // both empty: plain HTTP
};

class server {
public:
  explicit server(server_config config);
  ~server(); // stop()
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The underlying server, to register routes on before start(). Routes are httplib patterns;
  /// handlers run on pool threads.
  httplib::Server& http();

  /// Binds and serves on a thread; returns the bound port. Once per object. Ignores SIGPIPE for
  /// the process (httplib writes without MSG_NOSIGNAL; a client that goes away mid-answer would
  /// otherwise kill it).
  caf::expected<uint16_t> start();

  /// Stops accepting, finishes the requests in flight, joins. Idempotent.
  void stop();

  uint16_t port() const;

  /// "http(s)://host:port/" with the bound port (the host as configured; 0.0.0.0 stays as it is).
  std::string base_url() const;

  const server_config& config() const;

  /// How many requests fault injection answered with 429 / 503 / reset, and how many bulk
  /// operations it throttled on their own (for tests and the log).
  struct fault_counts {
    uint64_t throttled = 0;
    uint64_t unavailable = 0;
    uint64_t reset = 0;
    uint64_t throttled_operations = 0;
  };
  fault_counts faults_injected() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The request's x-ms-activity-id when it sent one, else a fresh random GUID.
std::string activity_id_for(const httplib::Request& req);

/// Closes the request's connection with a TCP reset and makes httplib's own answer go nowhere.
/// Returns false when the socket could not be found (then nothing happened). See server.cpp.
bool reset_connection(const httplib::Request& req);

} // namespace bulkd::emulator
