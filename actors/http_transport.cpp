#include "actors/http_transport.hpp"

#include "clients/error.hpp"
#include "clients/url.hpp"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <sys/socket.h>

namespace bulkd {

namespace {

using clock_type = std::chrono::steady_clock;

bool valid_method(const std::string& m) {
  for (auto known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    if (m == known)
      return true;
  return false;
}

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

std::string openssl_reason() {
  std::string reason;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    reason = buf; // the last one is the most specific
  }
  return reason;
}

} // namespace

struct http_transport::impl {
  struct entry {
    std::unique_ptr<httplib::Client> client;
    uint64_t last_used = 0;
  };

  http_transport_options options;
  std::map<std::string, entry> clients;
  uint64_t uses = 0;
  std::atomic<uint64_t> opened{0};

  // Lock order: mtx, then httplib's socket mutex (inside stop()). The socket hook runs under
  // httplib's mutex, so it reads `cancelled` without taking mtx.
  std::atomic<bool> cancelled{false};
  std::mutex mtx;
  std::condition_variable cv;
  httplib::Client* busy = nullptr;

  caf::expected<httplib::Client*> client_for(const url& origin, const tls_options& tls);
  caf::error map_error(httplib::Error err, httplib::Client& cli, const http_request& req,
                       const url& origin, clock_type::duration elapsed);
};

caf::expected<httplib::Client*> http_transport::impl::client_for(const url& origin,
                                                                 const tls_options& tls) {
  auto key = origin.origin();
  if (origin.scheme == "https")
    key += "|" + tls.ca_file + "|" + (tls.insecure_skip_verify ? "insecure" : "verify");
  auto i = clients.find(key);
  if (i == clients.end()) {
    if (clients.size() >= std::max<size_t>(options.max_connections, 1)) {
      auto lru = std::min_element(clients.begin(), clients.end(), [](auto& a, auto& b) {
        return a.second.last_used < b.second.last_used;
      });
      clients.erase(lru);
    }
    auto cli = std::make_unique<httplib::Client>(origin.origin());
    if (!cli->is_valid())
      return make_error(ec::tls_error, "cannot set up a TLS context for " + origin.origin() + ": " +
                                           openssl_reason());
    cli->set_keep_alive(true);
    cli->set_url_encode(false); // targets arrive percent-encoded
    cli->set_follow_location(false);
    cli->set_tcp_nodelay(true);
    // Runs for every new socket: counts connections, and closes the race in which cancel()
    // stops the client between its check and the connect.
    cli->set_socket_options([this](int sock) {
      opened.fetch_add(1, std::memory_order_relaxed);
      if (cancelled)
        ::shutdown(sock, SHUT_RDWR);
    });
    if (origin.scheme == "https") {
      if (!tls.ca_file.empty())
        cli->set_ca_cert_path(tls.ca_file);
      cli->enable_server_certificate_verification(!tls.insecure_skip_verify);
    }
    i = clients.emplace(std::move(key), entry{std::move(cli), 0}).first;
  }
  i->second.last_used = ++uses;
  return i->second.client.get();
}

caf::error http_transport::impl::map_error(httplib::Error err, httplib::Client& cli,
                                           const http_request& req, const url& origin,
                                           clock_type::duration elapsed) {
  using httplib::Error;
  auto what = describe(req);
  auto where = origin.host_port();
  auto name = " (httplib: " + httplib::to_string(err) + ")";
  auto timed_out = elapsed * 20 >= req.timeout * 19;
  if (cancelled)
    return make_error(ec::shutting_down, what + ": cancelled, the HTTP pool is shutting down");
  switch (err) {
  case Error::Connection:
    return make_error(ec::connection_failed, "cannot connect to " + where + name + " for " + what);
  case Error::ConnectionTimeout:
    return make_error(ec::timeout, "connecting to " + where + " timed out" + name + " for " + what);
  case Error::Read:
  case Error::Write:
    if (timed_out)
      return make_error(ec::timeout, what + ": no response within " + ms(req.timeout) + name);
    return make_error(ec::connection_failed,
                      "connection to " + where + " failed during " + what + name);
  case Error::Canceled:
    return make_error(ec::timeout,
                      what + ": response not complete within " + ms(req.timeout) + name);
  case Error::SSLLoadingCerts:
    return make_error(ec::tls_error, "cannot load CA certificates from tls.ca_file \"" +
                                         req.tls.ca_file + "\" for " + origin.origin() + name);
  case Error::SSLServerVerification: {
    auto result = cli.get_openssl_verify_result();
    std::string reason = result == X509_V_OK ? "the certificate does not name host " + origin.host
                                             : X509_verify_cert_error_string(result);
    return make_error(ec::tls_error,
                      "certificate verify failed for " + origin.origin() + ": " + reason +
                          "; set tls.ca_file to the CA that issued the server certificate"
                          " (or tls.insecure_skip_verify: true for a development endpoint)");
  }
  case Error::SSLConnection: {
    auto reason = openssl_reason();
    return make_error(ec::tls_error, "TLS handshake with " + origin.origin() + " failed" +
                                         (reason.empty() ? "" : ": " + reason) + name);
  }
  case Error::Compression:
    return make_error(ec::parse_error, what + ": cannot decompress the response body" + name);
  default:
    return make_error(ec::connection_failed, what + " to " + where + " failed" + name);
  }
}

http_transport::http_transport(http_transport_options options) : impl_(std::make_unique<impl>()) {
  impl_->options = options;
}

http_transport::~http_transport() = default;

caf::expected<http_response> http_transport::send(http_request req) {
  auto origin = parse_origin(req.origin);
  if (!origin)
    return std::move(origin.error());
  if (!valid_method(req.method))
    return make_error(ec::invalid_argument,
                      "unsupported HTTP method \"" + req.method + "\" for " + req.origin);
  if (req.target.empty() || req.target.front() != '/')
    return make_error(ec::invalid_argument,
                      "request target \"" + req.target + "\" must start with '/'");
  if (req.timeout <= std::chrono::milliseconds::zero())
    return make_error(ec::invalid_argument,
                      "request timeout must be positive for " + describe(req));
  auto cli_ptr = impl_->client_for(*origin, req.tls);
  if (!cli_ptr)
    return std::move(cli_ptr.error());
  auto& cli = **cli_ptr;
  cli.set_connection_timeout(std::min(req.timeout, impl_->options.connect_timeout));
  cli.set_read_timeout(req.timeout);
  cli.set_write_timeout(req.timeout);

  httplib::Request hreq;
  hreq.method = req.method;
  hreq.path = req.target;
  for (auto& [name, value] : req.headers)
    hreq.headers.emplace(name, value);
  hreq.body = std::move(req.body); // may be megabytes; req is only described from here on
  auto start = clock_type::now();
  auto deadline = start + req.timeout;
  std::string body;
  // httplib's timeouts apply per socket operation; this bounds the whole body, whatever its
  // transfer encoding (httplib's progress callback only sees Content-Length bodies).
  hreq.content_receiver = [&body, deadline](const char* data, size_t size, uint64_t, uint64_t) {
    body.append(data, size);
    return clock_type::now() < deadline;
  };

  {
    std::lock_guard<std::mutex> guard{impl_->mtx};
    if (impl_->cancelled)
      return make_error(ec::shutting_down,
                        describe(req) + ": not sent, the HTTP pool is shutting down");
    impl_->busy = &cli;
  }
  struct unbusy {
    impl* self;
    ~unbusy() {
      std::lock_guard<std::mutex> guard{self->mtx};
      self->busy = nullptr;
    }
  };
  ERR_clear_error();
  auto result = [&] {
    unbusy guard{impl_.get()};
    return cli.send(hreq);
  }();
  auto elapsed = clock_type::now() - start;
  if (!result) {
    auto err = impl_->map_error(result.error(), cli, req, *origin, elapsed);
    // Start over with a fresh client: its connection is in an unknown state.
    std::erase_if(impl_->clients, [&](auto& kv) { return kv.second.client.get() == &cli; });
    return err;
  }
  http_response res;
  res.status = result->status;
  for (auto& [name, value] : result->headers)
    res.headers.add(name, value);
  res.body = std::move(body);
  res.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(elapsed);
  return res;
}

void http_transport::cancel() {
  impl_->cancelled = true;
  std::lock_guard<std::mutex> guard{impl_->mtx};
  if (impl_->busy)
    impl_->busy->stop();
  impl_->cv.notify_all();
}

bool http_transport::pause(std::chrono::milliseconds duration) {
  std::unique_lock<std::mutex> lock{impl_->mtx};
  impl_->cv.wait_for(lock, duration, [this] { return impl_->cancelled.load(); });
  return !impl_->cancelled;
}

uint64_t http_transport::connections_opened() const {
  return impl_->opened.load(std::memory_order_relaxed);
}

} // namespace bulkd
