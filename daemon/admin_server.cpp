#include "daemon/admin_server.hpp"

#include "daemon/log.hpp"
#include "daemon/metrics_registry.hpp"
#include "daemon/prometheus_text.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sys/socket.h>
#include <thread>

namespace bulkd {

namespace {

const char* json_type = "application/json";

bool is_open_path(const std::string& path) {
  return path == "/healthz" || path == "/readyz";
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i]))
      return false;
  }
  return true;
}

bool has_token(const httplib::Request& req, const std::string& token) {
  auto header = req.get_header_value("Authorization");
  std::string_view value{header};
  constexpr std::string_view scheme = "bearer ";
  if (value.size() <= scheme.size() || !iequals(value.substr(0, scheme.size()), scheme))
    return false;
  auto given = value.substr(scheme.size());
  while (!given.empty() && given.front() == ' ')
    given.remove_prefix(1);
  return given.size() == token.size() &&
         CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

const char* error_text(int status) {
  switch (status) {
  case 400:
    return "bad request";
  case 401:
    return "unauthorized";
  case 404:
    return "not found";
  case 405:
    return "method not allowed";
  case 413:
    return "payload too large";
  case 414:
    return "uri too long";
  case 416:
    return "range not satisfiable";
  case 500:
    return "internal error";
  case 503:
    return "unavailable";
  default:
    return "error";
  }
}

} // namespace

struct admin_server::impl {
  admin_server_config config;
  metrics::registry& registry;
  httplib::Server server;
  std::function<bool()> readiness;
  std::function<void()> before_metrics;
  std::thread thread;
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  std::atomic<uint16_t> bound_port{0};

  impl(admin_server_config cfg, metrics::registry& reg) : config(std::move(cfg)), registry(reg) {}
};

admin_server::admin_server(admin_server_config config, metrics::registry& metrics)
    : impl_(std::make_unique<impl>(std::move(config), metrics)) {
  auto& s = impl_->server;
  auto* self = impl_.get();
  auto threads = std::max<size_t>(1, self->config.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib's default also sets SO_REUSEPORT, which would let a second daemon share the port.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.set_keep_alive_timeout(self->config.keep_alive_timeout.count());
  s.set_read_timeout(5, 0);
  s.set_write_timeout(5, 0);
  s.set_payload_max_length(self->config.max_body_bytes);
  s.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    if (self->config.token.empty() || is_open_path(req.path) || has_token(req, self->config.token))
      return httplib::Server::HandlerResponse::Unhandled;
    write_json_error(res, 401, "unauthorized");
    res.set_header("WWW-Authenticate", "Bearer realm=\"bulkd\"");
    return httplib::Server::HandlerResponse::Handled;
  });
  // Runs for every status >= 400; fills in a JSON body where no handler wrote one.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse{[](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        write_json_error(res, res.status, error_text(res.status),
                         res.status == 404 ? std::string_view{req.path} : std::string_view{});
        return httplib::Server::HandlerResponse::Handled;
      }});
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep)
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log::error("admin request failed", {{"path", req.path}, {"error", what}});
        write_json_error(res, 500, "internal error");
      });
  s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    log::debug("admin request",
               {{"method", req.method}, {"path", req.path}, {"status", res.status}});
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  s.Get("/readyz", [self](const httplib::Request&, httplib::Response& res) {
    bool ready = !self->readiness || self->readiness();
    res.status = ready ? 200 : 503;
    res.set_content(ready ? "ready\n" : "not ready\n", "text/plain; charset=utf-8");
  });
  s.Get("/metrics", [self](const httplib::Request&, httplib::Response& res) {
    if (self->before_metrics)
      self->before_metrics();
    res.set_content(self->registry.render(), metrics::prometheus_content_type);
  });
}

admin_server::~admin_server() {
  stop();
}

void admin_server::set_readiness(std::function<bool()> fn) {
  impl_->readiness = std::move(fn);
}

void admin_server::set_before_metrics(std::function<void()> fn) {
  impl_->before_metrics = std::move(fn);
}

caf::error admin_server::add_route(http_method method, std::string pattern, handler fn) {
  if (impl_->started)
    return make_error(ec::invalid_argument, "routes must be added before the server starts");
  auto& s = impl_->server;
  switch (method) {
  case http_method::get:
    s.Get(pattern, std::move(fn));
    break;
  case http_method::post:
    s.Post(pattern, std::move(fn));
    break;
  case http_method::put:
    s.Put(pattern, std::move(fn));
    break;
  case http_method::patch:
    s.Patch(pattern, std::move(fn));
    break;
  case http_method::del:
    s.Delete(pattern, std::move(fn));
    break;
  }
  return {};
}

caf::expected<uint16_t> admin_server::start() {
  auto& d = *impl_;
  if (d.started.exchange(true))
    return make_error(ec::invalid_argument, "the admin server was started already");
  auto where = d.config.host + ":" + std::to_string(d.config.port);
  if (auto err = check_listen_token(d.config.host, d.config.token))
    return err;
  errno = 0;
  int port = -1;
  if (d.config.port == 0)
    port = d.server.bind_to_any_port(d.config.host);
  else if (d.server.bind_to_port(d.config.host, d.config.port))
    port = d.config.port;
  if (port <= 0) {
    std::string reason = errno != 0 ? std::strerror(errno) : "cannot bind";
    return make_error(ec::connection_failed,
                      "admin server cannot listen on " + where + ": " + reason);
  }
  d.bound_port = static_cast<uint16_t>(port);
  d.thread = std::thread([&d] {
    d.server.listen_after_bind();
    d.finished = true;
  });
  // httplib's stop() does nothing before the loop runs, so stop() could not end a thread that has
  // not reached it yet: wait for the loop.
  while (!d.server.is_running() && !d.finished)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (d.finished) {
    d.thread.join();
    return make_error(ec::connection_failed, "admin server on " + where + " stopped at once");
  }
  return d.bound_port.load();
}

void admin_server::stop() {
  auto& d = *impl_;
  if (!d.thread.joinable())
    return;
  d.server.stop();
  d.thread.join();
}

bool admin_server::running() const {
  return impl_->thread.joinable() && !impl_->finished;
}

uint16_t admin_server::port() const {
  return impl_->bound_port;
}

void write_json_error(httplib::Response& res, int status, std::string_view error,
                      std::string_view path) {
  nlohmann::json body{{"error", error}};
  if (!path.empty())
    body["path"] = path;
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  json_type);
}

caf::expected<std::pair<std::string, uint16_t>> parse_listen_address(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return make_error(ec::invalid_argument,
                      "invalid listen address '" + std::string{text} + "': " + why);
  };
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return bad("missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':')
      return bad("expected [host]:port");
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return bad("expected host:port");
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos)
      return bad("write IPv6 addresses as [addr]:port");
    port = text.substr(colon + 1);
  }
  if (host.empty())
    return bad("empty host");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
    return bad("port must be a number from 0 to 65535");
  return std::pair{std::string{host}, static_cast<uint16_t>(value)};
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

caf::error check_listen_token(std::string_view host, std::string_view token) {
  if (is_loopback_host(host) || !token.empty())
    return {};
  return make_error(ec::unauthorized, "the admin server would listen on " + std::string{host} +
                                          ", which is not loopback, without a token: set "
                                          "admin.token in the config");
}

} // namespace bulkd
