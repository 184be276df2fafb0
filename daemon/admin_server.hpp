#pragma once

// The admin HTTP server: cpp-httplib on its own thread with /healthz, /readyz and /metrics, a
// bearer-token check, JSON errors, and room for more routes (the /v1 API).
//
//   bulkd::admin_server srv{{.host = "127.0.0.1", .port = 0}, registry};
//   srv.set_readiness([&] { return root_is_up; });
//   srv.set_before_metrics([&] { refresh_gauges(registry); });
//   srv.add_route(bulkd::http_method::get, "/v1/jobs", handler);
//   auto port = srv.start(); // caf::expected<uint16_t>: the bound port
//   ...
//   srv.stop();
//
// Authentication: with a non-empty token every request needs "Authorization: Bearer <token>" and
// gets 401 {"error":"unauthorized"} otherwise, except /healthz and /readyz, which stay open for
// probes (they tell nothing but up/ready). /metrics needs the token (Prometheus sends it with
// `authorization: {credentials: ...}`).

#include "clients/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace httplib {
struct Request;
struct Response;
} // namespace httplib

namespace bulkd {

namespace metrics {
class registry;
} // namespace metrics

struct admin_server_config {
  std::string host = "127.0.0.1";
  uint16_t port = 8686;                       // 0: an ephemeral port, see admin_server::port()
  std::string token;                          // empty: no authentication
  size_t threads = 16;                        // request threads (Debian's httplib default is small)
  std::chrono::seconds keep_alive_timeout{2}; // also bounds how long stop() waits for idle clients
  size_t max_body_bytes = 1 << 20;
};

enum class http_method : uint8_t { get, post, put, patch, del };

class admin_server {
public:
  using handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  /// `metrics` must outlive the server.
  admin_server(admin_server_config config, metrics::registry& metrics);
  ~admin_server(); // stop()
  admin_server(const admin_server&) = delete;
  admin_server& operator=(const admin_server&) = delete;

  /// Decides /readyz: 200 "ready" when it returns true, else 503 "not ready". Default: ready.
  /// Called on request threads; must be thread-safe. Set before start().
  void set_readiness(std::function<bool()> fn);

  /// Called before each /metrics rendering, e.g. to refresh gauges. Set before start().
  void set_before_metrics(std::function<void()> fn);

  /// Adds a route; `pattern` is an httplib pattern (a regex, matched against the whole path).
  /// Only before start(). Handlers run on request threads; use write_json_error() for errors.
  caf::error add_route(http_method method, std::string pattern, handler fn);

  /// Binds and starts serving on a thread; returns the bound port. Once per object. A host that
  /// is not loopback needs a token (check_listen_token).
  caf::expected<uint16_t> start();

  /// Stops accepting, waits for requests in flight and joins the thread. Idempotent.
  void stop();

  bool running() const;
  uint16_t port() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Sets `res` to `status` with {"error": error} (and "path" when not empty) as JSON.
void write_json_error(httplib::Response& res, int status, std::string_view error,
                      std::string_view path = {});

/// Splits "host:port" or "[v6]:port" (port 0..65535) into host and port.
caf::expected<std::pair<std::string, uint16_t>> parse_listen_address(std::string_view text);

/// Whether `host` is a loopback address or "localhost" (where a token may be optional).
bool is_loopback_host(std::string_view host);

/// Refuses (ec::unauthorized, with the reason) to serve on a host that is not loopback without a
/// token. start() checks it, so the admin API is never open beyond this machine.
caf::error check_listen_token(std::string_view host, std::string_view token);

} // namespace bulkd
