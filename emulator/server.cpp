#include "emulator/server.hpp"

#include "clients/error.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "emulator/cosmos/error_response.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace bulkd::emulator {

namespace {

void put_header(httplib::Response& res, const std::string& name, const std::string& value) {
  res.headers.erase(name);
  res.set_header(name, value);
}

std::string random_guid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng();
  uint64_t b = rng();
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// The peer address of a socket as httplib reports it (inet_ntop form, port).
bool same_endpoint(const sockaddr_storage& addr, const std::string& ip, int port) {
  char buf[INET6_ADDRSTRLEN] = {};
  int p = -1;
  if (addr.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
    p = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
    p = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  return p == port && ip == buf;
}

// The descriptor of the connection `req` came on: httplib 0.11 does not hand it to handlers, so
// look for the socket whose two ends are the request's local and remote address.
int find_request_socket(const httplib::Request& req) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr)
    return -1;
  int found = -1;
  int dir_fd = ::dirfd(dir);
  while (auto* entry = ::readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dir_fd)
      continue;
    struct stat st {};
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode))
      continue;
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t local_len = sizeof(local);
    socklen_t peer_len = sizeof(peer);
    if (::getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        ::getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0)
      continue;
    if (same_endpoint(local, req.local_addr, req.local_port) &&
        same_endpoint(peer, req.remote_addr, req.remote_port)) {
      found = static_cast<int>(fd);
      break;
    }
  }
  ::closedir(dir);
  return found;
}

} // namespace

std::string activity_id_for(const httplib::Request& req) {
  auto given = req.get_header_value("x-ms-activity-id");
  return given.empty() ? random_guid() : given;
}

// httplib 0.11 has no way to drop a connection from a handler: a status of -1 becomes 200, a
// throwing handler becomes a 500 answer, and the socket is not exposed. So: find the socket,
// set SO_LINGER to 0 and dup2() /dev/null over the descriptor. That closes the connection with a
// RST at once (the client sees a reset, no answer), while the descriptor number stays owned by
// httplib: its answer is written with send(), which fails with ENOTSOCK (no SIGPIPE, nothing
// sent), and its later close() closes the /dev/null copy. No other thread can be using the
// descriptor meanwhile: a connection is served by one pool thread from accept to close.
bool reset_connection(const httplib::Request& req) {
  int fd = find_request_socket(req);
  if (fd < 0)
    return false;
  linger abort_close{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close));
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd < 0)
    return false;
  bool ok = ::dup2(null_fd, fd) == fd;
  ::close(null_fd);
  return ok;
}

struct server::impl {
  server_config config;
  std::unique_ptr<httplib::Server> http;
  fault_injector faults;
  std::thread thread;
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  std::atomic<uint16_t> bound_port{0};
  std::atomic<int> listen_fd{-1};
  std::atomic<uint64_t> throttled{0};
  std::atomic<uint64_t> unavailable{0};
  std::atomic<uint64_t> reset{0};

  explicit impl(server_config cfg)
      : config(std::move(cfg)),
        http(config.tls.certificate.empty()
                 ? std::make_unique<httplib::Server>()
                 : std::make_unique<httplib::SSLServer>(config.tls.certificate.c_str(),
                                                        config.tls.private_key.c_str())),
        faults(config.faults) {}

  // A 429 or 503 cannot be answered from the pre-routing handler: httplib calls it before reading
  // the request body, which would then stay in the connection and be parsed as the next request
  // (a 400 on the next keep-alive request). So the request is diverted instead: its path is
  // rewritten to fault_path (the Request object httplib routes is not const; only the handler's
  // view is), httplib reads the body as for any route, and the fault route answers. The
  // thread-local marker keeps clients from calling that route themselves.
  static inline thread_local fault_kind pending_fault = fault_kind::none;
  static constexpr const char* fault_path = "/_emulator/injected-fault";

  static httplib::Server::HandlerResponse divert_to_fault_route(const httplib::Request& req,
                                                                fault_kind kind) {
    pending_fault = kind;
    const_cast<httplib::Request&>(req).path = fault_path;
    return httplib::Server::HandlerResponse::Unhandled;
  }

  void answer_fault(const httplib::Request& req, httplib::Response& res) {
    auto kind = pending_fault;
    pending_fault = fault_kind::none;
    if (kind == fault_kind::throttle) {
      ++throttled;
      cosmos::write_error(res, 429,
                          "Request rate is large. More Request Units may be needed, so no changes "
                          "were made. Please retry this request later. (injected by --faults)",
                          3200);
      auto ms = faults.spec().retry_after.count();
      put_header(res, "x-ms-retry-after-ms", std::to_string(ms));
      put_header(res, "Retry-After", std::to_string((ms + 999) / 1000)); // for generic clients
    } else if (kind == fault_kind::unavailable) {
      ++unavailable;
      cosmos::write_error(res, 503,
                          "The service is currently unavailable; the request was not processed. "
                          "(injected by --faults)");
    } else {
      cosmos::write_error(res, 404,
                          "Unknown resource: no route for " + req.method + " " + req.path);
    }
  }

  httplib::Server::HandlerResponse inject_faults(const httplib::Request& req,
                                                 httplib::Response& res) {
    const auto& spec = faults.spec();
    if (spec.latency.count() > 0)
      std::this_thread::sleep_for(spec.latency);
    auto kind = faults.next(cosmos::is_bulk_batch(req));
    switch (kind) {
    case fault_kind::none:
      return httplib::Server::HandlerResponse::Unhandled;
    case fault_kind::throttle:
    case fault_kind::unavailable:
      return divert_to_fault_route(req, kind);
    case fault_kind::reset:
      ++reset;
      if (!reset_connection(req))
        spdlog::warn("emulator: could not find the socket of {} {} to reset it", req.method,
                     req.path);
      // Should the reset have failed, the client at least gets an error.
      cosmos::write_error(res, 503, "connection reset (injected by --faults)");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }
};

server::server(server_config config) : impl_(std::make_unique<impl>(std::move(config))) {
  auto* self = impl_.get();
  auto& s = *self->http;
  auto threads = std::max<size_t>(8, self->config.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib's default also sets SO_REUSEPORT, which would let two emulators share a port. The
  // descriptor is kept to raise the listen backlog after bind (see start()).
  s.set_socket_options([self](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    self->listen_fd = sock;
  });
  s.set_keep_alive_max_count(100000);
  s.set_keep_alive_timeout(self->config.keep_alive_timeout.count());
  s.set_read_timeout(30, 0);
  s.set_write_timeout(30, 0);
  s.set_payload_max_length(self->config.max_body_bytes);
  s.set_tcp_nodelay(true);
  // Registered first, so that no broad pattern of another part catches it.
  auto fault_route = [self](const httplib::Request& req, httplib::Response& res) {
    self->answer_fault(req, res);
  };
  s.Get(impl::fault_path, fault_route);
  s.Post(impl::fault_path, fault_route);
  s.Put(impl::fault_path, fault_route);
  s.Patch(impl::fault_path, fault_route);
  s.Delete(impl::fault_path, fault_route);
  s.Options(impl::fault_path, fault_route);
  s.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    impl::pending_fault = fault_kind::none;
    set_request_fault_injector(nullptr);
    put_header(res, "x-ms-activity-id", activity_id_for(req));
    if (self->faults.spec().any() &&
        (!self->config.fault_scope || self->config.fault_scope(req.path))) {
      // The route runs on this thread next and may fault parts of the request (bulk operations).
      set_request_fault_injector(&self->faults);
      return self->inject_faults(req, res);
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Runs for every status >= 400, also for requests httplib refused before routing (413, 400):
  // fills in the Cosmos error body where no handler wrote one.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse{[](const httplib::Request& req, httplib::Response& res) {
        if (!res.has_header("x-ms-activity-id"))
          put_header(res, "x-ms-activity-id", activity_id_for(req));
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        std::string message;
        switch (res.status) {
        case 404:
          message = "Unknown resource: no route for " + req.method + " " + req.path;
          break;
        case 413:
          message = "Request size is too large";
          break;
        case 405:
          message = "Method " + req.method + " is not allowed on " + req.path;
          break;
        default:
          message = "The request could not be processed (HTTP " + std::to_string(res.status) + ")";
        }
        cosmos::write_error(res, res.status, message);
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
        spdlog::error("emulator: {} {} failed: {}", req.method, req.path, what);
        put_header(res, "x-ms-activity-id", activity_id_for(req));
        cosmos::write_error(res, 500, "Internal error in the emulator: " + what);
      });
  s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("emulator: {} {} -> {}", req.method, req.path, res.status);
  });
}

server::~server() {
  stop();
}

httplib::Server& server::http() {
  return *impl_->http;
}

caf::expected<uint16_t> server::start() {
  auto& d = *impl_;
  if (d.started.exchange(true))
    return make_error(ec::invalid_argument, "the emulator server was started already");
  std::signal(SIGPIPE, SIG_IGN);
  auto where = d.config.host + ":" + std::to_string(d.config.port);
  if (!d.http->is_valid())
    return make_error(ec::tls_error, "emulator cannot use the TLS certificate " +
                                         d.config.tls.certificate + " with the key " +
                                         d.config.tls.private_key);
  errno = 0;
  int port = -1;
  if (d.config.port == 0)
    port = d.http->bind_to_any_port(d.config.host);
  else if (d.http->bind_to_port(d.config.host, d.config.port))
    port = d.config.port;
  if (port <= 0) {
    std::string reason = errno != 0 ? std::strerror(errno) : "cannot bind";
    return make_error(ec::connection_failed, "emulator cannot listen on " + where + ": " + reason);
  }
  // Listening again on a listening socket only changes its backlog (Linux).
  if (int fd = d.listen_fd.load(); fd >= 0)
    ::listen(fd, d.config.backlog);
  d.bound_port = static_cast<uint16_t>(port);
  d.thread = std::thread([&d] {
    d.http->listen_after_bind();
    d.finished = true;
  });
  // httplib's stop() does nothing before its loop runs: wait for the loop.
  while (!d.http->is_running() && !d.finished)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (d.finished) {
    d.thread.join();
    return make_error(ec::connection_failed, "emulator on " + where + " stopped at once");
  }
  return d.bound_port.load();
}

void server::stop() {
  auto& d = *impl_;
  if (!d.thread.joinable())
    return;
  d.http->stop();
  d.thread.join();
}

uint16_t server::port() const {
  return impl_->bound_port;
}

std::string server::base_url() const {
  const auto& host = impl_->config.host;
  bool v6 = host.find(':') != std::string::npos;
  auto scheme = impl_->config.tls.certificate.empty() ? "http://" : "https://";
  return scheme + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port()) + "/";
}

const server_config& server::config() const {
  return impl_->config;
}

server::fault_counts server::faults_injected() const {
  return {impl_->throttled.load(), impl_->unavailable.load(), impl_->reset.load(),
          impl_->faults.operations_throttled()};
}

} // namespace bulkd::emulator
