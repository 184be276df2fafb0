#include "actors/http_pool.hpp"
#include "clients/error.hpp"
#include "http_test_server.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <optional>
#include <set>
#include <unistd.h>
#include <variant>

using namespace bulkd;
using namespace std::chrono_literals;
using bulkd::test::concurrency;
using bulkd::test::gate;
using bulkd::test::test_server;

namespace {

using result_type = std::variant<http_response, caf::error>;

// The actor system and the pool; declare it after the servers so it is destroyed first.
struct pool_env {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  http_pool_actor pool;

  explicit pool_env(http_pool_config config) : sys(cfg), self(sys) {
    pool = spawn_http_pool(sys, std::move(config));
  }

  ~pool_env() { stop(); }

  void stop() {
    if (!pool)
      return;
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    self->wait_for(pool);
    pool = nullptr;
  }

  result_type call(http_request req) {
    result_type out = caf::error{};
    self->request(pool, 60s, http_atom::value, std::move(req))
        .receive([&](http_response& res) { out = std::move(res); },
                 [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  // Sends every request before waiting for the first answer.
  std::vector<result_type> call_all(std::vector<http_request> reqs) {
    using handle = decltype(self->request(pool, 60s, http_atom::value, http_request{}));
    std::vector<handle> handles;
    for (auto& req : reqs)
      handles.push_back(self->request(pool, 60s, http_atom::value, std::move(req)));
    std::vector<result_type> out(handles.size(), caf::error{});
    for (size_t i = 0; i < handles.size(); ++i)
      handles[i].receive([&](http_response& res) { out[i] = std::move(res); },
                         [&](caf::error& err) { out[i] = std::move(err); });
    return out;
  }

  http_pool_stats stats() {
    http_pool_stats out;
    self->request(pool, 10s, http_stats_atom::value)
        .receive([&](http_pool_stats& s) { out = s; },
                 [&](caf::error& err) { FAIL("stats: " << render(err)); });
    return out;
  }

  // Polls the stats until `pred` holds (10 s at most).
  template <class Pred>
  http_pool_stats await_stats(Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    auto s = stats();
    while (!pred(s) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
      s = stats();
    }
    return s;
  }
};

http_pool_config pool_config(size_t workers, size_t queue_capacity = 1024) {
  http_pool_config config;
  config.workers = workers;
  config.queue_capacity = queue_capacity;
  return config;
}

http_request get(const std::string& origin, std::string target) {
  http_request req;
  req.origin = origin;
  req.target = std::move(target);
  req.timeout = 10s;
  return req;
}

http_response response(result_type r) {
  if (auto err = std::get_if<caf::error>(&r))
    FAIL("expected a response, got " << render(*err));
  return std::get<http_response>(std::move(r));
}

caf::error error(result_type r) {
  if (auto res = std::get_if<http_response>(&r))
    FAIL("expected an error, got status " << res->status);
  return std::get<caf::error>(std::move(r));
}

bool is(const caf::error& err, ec code) {
  return err.category() == error_category() && err.code() == static_cast<uint8_t>(code);
}

// A port on 127.0.0.1 with nothing listening.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

} // namespace

TEST_CASE("http_pool round-trips method, headers and body, error statuses are responses",
          "[http_pool]") {
  test_server server;
  server->Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 201;
    res.set_header("X-Echo-Method", req.method);
    res.set_header("X-Got-Custom", req.get_header_value("x-custom"));
    res.set_content("got:" + req.body, "text/plain");
  });
  server->Get("/missing", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"code":"NotFound"})", "application/json");
  });
  server.start();
  pool_env env{pool_config(2)};

  auto req = get(server.origin(), "/echo");
  req.method = "POST";
  req.headers.add("X-Custom", "value 1");
  req.headers.add("Content-Type", "application/json");
  req.body = R"({"id":"a"})";
  auto res = response(env.call(req));
  CHECK(res.status == 201);
  CHECK(res.headers.value("x-echo-method") == "POST");
  CHECK(res.headers.value("X-GOT-CUSTOM") == "value 1");
  CHECK(res.headers.value("content-type") == "text/plain");
  CHECK(res.body == R"(got:{"id":"a"})");
  CHECK(res.elapsed > 0us);

  auto missing = response(env.call(get(server.origin(), "/missing")));
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"code":"NotFound"})");

  auto s = env.stats();
  CHECK(s.requests == 2);
  CHECK(s.completed == 2);
  CHECK(s.errors == 0);
  CHECK(s.workers == 2);
}

TEST_CASE("http_pool runs as many requests at once as it has workers", "[http_pool]") {
  test_server server;
  concurrency seen;
  server->Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    seen.enter();
    std::this_thread::sleep_for(200ms);
    seen.leave();
    res.set_content("ok", "text/plain");
  });
  server.start();
  pool_env env{pool_config(32)};
  std::vector<http_request> reqs(32, get(server.origin(), "/slow"));
  auto start = std::chrono::steady_clock::now();
  auto results = env.call_all(reqs);
  auto took = std::chrono::steady_clock::now() - start;
  for (auto& r : results)
    CHECK(response(r).status == 200);
  CHECK(seen.max == 32);
  // The server saw all 32 at once, which is the proof of concurrency; the time is only reported
  // (speed is measured by benchmarks, not unit tests, on this shared machine).
  WARN("32 requests of 200 ms took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  auto s = env.stats();
  CHECK(s.max_in_flight == 32);
  CHECK(s.completed == 32);
  CHECK(s.connections == 32);
}

TEST_CASE("http_pool keeps connections alive", "[http_pool]") {
  test_server server;
  std::mutex mtx;
  std::set<int> ports;
  server->set_keep_alive_max_count(100);
  server->Get("/ping", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> guard{mtx};
    ports.insert(req.remote_port);
    res.set_content("pong", "text/plain");
  });
  server.start();
  pool_env env{pool_config(4)};
  for (int i = 0; i < 20; ++i)
    CHECK(response(env.call(get(server.origin(), "/ping"))).body == "pong");
  CHECK(ports.size() == 1);
  CHECK(env.stats().connections == 1);
}

TEST_CASE("http_pool reconnects when the server closes a kept-alive connection", "[http_pool]") {
  test_server server; // httplib closes a connection after 5 requests by default
  std::mutex mtx;
  std::set<int> ports;
  server->Get("/ping", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> guard{mtx};
    ports.insert(req.remote_port);
    res.set_content("pong", "text/plain");
  });
  server.start();
  pool_env env{pool_config(1)};
  for (int i = 0; i < 20; ++i)
    CHECK(response(env.call(get(server.origin(), "/ping"))).status == 200);
  CHECK(ports.size() == 4);
  CHECK(env.stats().connections == 4);
}

TEST_CASE("http_pool answers overloaded when workers and queue are full", "[http_pool]") {
  test_server server;
  gate blocked;
  server->Get("/block", [&](const httplib::Request&, httplib::Response& res) {
    blocked.wait();
    res.set_content("done", "text/plain");
  });
  server.start();
  pool_env env{pool_config(2, 2)};
  std::vector<decltype(env.self->request(env.pool, 60s, http_atom::value, http_request{}))> first;
  for (int i = 0; i < 4; ++i)
    first.push_back(
        env.self->request(env.pool, 60s, http_atom::value, get(server.origin(), "/block")));
  auto s = env.await_stats([](auto& s) { return s.in_flight == 2 && s.queued == 2; });
  REQUIRE(s.in_flight == 2);
  REQUIRE(s.queued == 2);

  auto err = error(env.call(get(server.origin(), "/block")));
  CHECK(is(err, ec::overloaded));
  CHECK(render(err) == "overloaded: GET " + server.origin() +
                           "/block: HTTP pool overloaded (2 in flight, 2 waiting)");
  CHECK(!blocked.is_open()); // it did not wait for a worker

  blocked.release();
  for (auto& h : first)
    h.receive([](http_response& res) { CHECK(res.body == "done"); },
              [](caf::error& e) { FAIL(render(e)); });
  s = env.stats();
  CHECK(s.requests == 5);
  CHECK(s.completed == 4);
  CHECK(s.overloaded == 1);
  CHECK(s.max_in_flight == 2);
  CHECK(s.max_queued == 2);
  CHECK(s.in_flight == 0);
  CHECK(s.queued == 0);
}

TEST_CASE("http_pool reports timeouts and refused connections as errors", "[http_pool]") {
  test_server server;
  gate blocked;
  server->Get("/hang", [&](const httplib::Request&, httplib::Response&) { blocked.wait(); });
  server->Get("/fast", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("fast", "text/plain");
  });
  server.start();
  pool_env env{pool_config(1)};

  auto req = get(server.origin(), "/hang");
  req.timeout = 300ms;
  auto timeout = error(env.call(req));
  CHECK(is(timeout, ec::timeout));
  CHECK(render(timeout) ==
        "timeout: GET " + server.origin() + "/hang: no response within 300 ms (httplib: Read)");
  blocked.release();
  // The same worker goes on with a new connection.
  CHECK(response(env.call(get(server.origin(), "/fast"))).body == "fast");

  auto port = closed_port();
  auto origin = "http://127.0.0.1:" + std::to_string(port);
  auto refused = error(env.call(get(origin, "/x")));
  CHECK(is(refused, ec::connection_failed));
  CHECK(render(refused) ==
        "connection_failed: cannot connect to 127.0.0.1:" + std::to_string(port) +
            " (httplib: Connection) for GET " + origin + "/x");

  auto bad = get("ftp://127.0.0.1", "/x");
  auto invalid = error(env.call(bad));
  CHECK(render(invalid) ==
        "invalid_argument: invalid URL \"ftp://127.0.0.1\": unsupported scheme \"ftp\" "
        "(expected http or https)");
  auto s = env.stats();
  CHECK(s.errors == 3);
  CHECK(s.completed == 1);
}

TEST_CASE("http_pool reports a connection closed without a response", "[http_pool]") {
  // A listener that accepts one connection and closes it at once.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto port = std::to_string(ntohs(addr.sin_port));
  std::thread closer{[fd] {
    int conn = ::accept(fd, nullptr, nullptr);
    if (conn >= 0)
      ::close(conn);
  }};
  {
    pool_env env{pool_config(1)};
    auto origin = "http://127.0.0.1:" + port;
    auto err = error(env.call(get(origin, "/x")));
    CHECK(is(err, ec::connection_failed));
    CHECK_THAT(render(err), Catch::StartsWith("connection_failed: connection to 127.0.0.1:" + port +
                                              " failed during GET " + origin + "/x (httplib: "));
  }
  closer.join();
  ::close(fd);
}

TEST_CASE("http_pool reports a connect timeout", "[http_pool]") {
  // A listener that never accepts: once its accept queue is full, the kernel drops new SYNs.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(fd, 0) == 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(50ms);
  auto port = std::to_string(ntohs(addr.sin_port));
  {
    pool_env env{pool_config(1)};
    auto origin = "http://127.0.0.1:" + port;
    auto req = get(origin, "/x");
    req.timeout = 300ms;
    auto err = error(env.call(req));
    CHECK(is(err, ec::timeout));
    CHECK(render(err) == "timeout: connecting to 127.0.0.1:" + port +
                             " timed out (httplib: ConnectionTimeout) for GET " + origin + "/x");
  }
  for (int c : fillers)
    ::close(c);
  ::close(fd);
}

TEST_CASE("http_pool bounds the time for the whole response body", "[http_pool]") {
  test_server server;
  // One byte every 25 ms: no single read waits long, the whole body takes 0.5 s.
  auto trickle = [](size_t offset, httplib::DataSink& sink) {
    if (offset >= 20) {
      sink.done();
      return true;
    }
    std::this_thread::sleep_for(25ms);
    return sink.write("x", 1);
  };
  server->Get("/chunked", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", trickle);
  });
  server->Get("/sized", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(20, "text/plain", [&](size_t offset, size_t, httplib::DataSink& sink) {
      return trickle(offset, sink);
    });
  });
  server.start();
  pool_env env{pool_config(2)};
  for (auto target : {"/chunked", "/sized"}) {
    INFO(target);
    auto req = get(server.origin(), target);
    req.timeout = 300ms;
    auto err = error(env.call(req));
    CHECK(is(err, ec::timeout));
    CHECK(render(err) == "timeout: GET " + server.origin() + target +
                             ": response not complete within 300 ms (httplib: Canceled)");
    req.timeout = 5s;
    CHECK(response(env.call(req)).body == std::string(20, 'x'));
  }
}

TEST_CASE("http_pool can be spawned by another actor", "[http_pool]") {
  test_server server;
  server->Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("x", "text/plain");
  });
  server.start();
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  // As a supervisor's child_factory would do it: a dynamically typed handle.
  auto child = caf::actor_cast<caf::actor>(spawn_http_pool(self.ptr(), pool_config(1)));
  auto pool = caf::actor_cast<http_pool_actor>(child);
  self->request(pool, 10s, http_atom::value, get(server.origin(), "/x"))
      .receive([](http_response& res) { CHECK(res.body == "x"); },
               [](caf::error& err) { FAIL(render(err)); });
  self->send_exit(child, caf::exit_reason::user_shutdown);
  self->wait_for(child);
}

TEST_CASE("http_pool stops when its last handle is dropped", "[http_pool]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto pool = spawn_http_pool(sys, pool_config(4));
  pool = nullptr;
  // ~actor_system waits for the pool and its detached workers; a hang fails by ctest's timeout.
}

namespace {

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bulkd-tls-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  std::string operator/(const char* name) const { return (path / name).string(); }
};

void run(const std::string& cmd) {
  INFO(cmd);
  REQUIRE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0);
}

// A CA and a server certificate for IP 127.0.0.1 signed by it.
void make_certificates(const temp_dir& dir) {
  auto ec_key = std::string{"-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"};
  run("openssl req -x509 " + ec_key + " -keyout " + dir / "ca.key" + " -out " + dir / "ca.pem" +
      " -days 2 -subj '/CN=bulkd test CA'"
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
  // server.pem names 127.0.0.1; other.pem names only example.test.
  for (std::string name : {"server", "other"}) {
    auto file = [&](const char* ext) { return dir / (name + ext).c_str(); };
    auto san = name == "server" ? "IP:127.0.0.1" : "DNS:example.test";
    run("openssl req " + ec_key + " -keyout " + file(".key") + " -out " + file(".csr") +
        " -subj '/CN=" + name + "'");
    std::ofstream{file(".ext")} << "subjectAltName=" << san
                                << "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    run("openssl x509 -req -in " + file(".csr") + " -CA " + dir / "ca.pem" + " -CAkey " +
        dir / "ca.key" + " -CAcreateserial -days 2 -out " + file(".pem") + " -extfile " +
        file(".ext"));
  }
}

} // namespace

TEST_CASE("http_pool verifies TLS certificates", "[http_pool][tls]") {
  temp_dir dir;
  make_certificates(dir);
  test_server server{std::make_unique<httplib::SSLServer>((dir / "server.pem").c_str(),
                                                          (dir / "server.key").c_str())};
  REQUIRE(server->is_valid());
  server->Get("/secure", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("secret", "text/plain");
  });
  server.start();
  pool_env env{pool_config(2)};
  auto origin = server.origin("https");

  auto trusted = get(origin, "/secure");
  trusted.tls.ca_file = dir / "ca.pem";
  auto ok = response(env.call(trusted));
  CHECK(ok.status == 200);
  CHECK(ok.body == "secret");

  auto untrusted = error(env.call(get(origin, "/secure")));
  CHECK(is(untrusted, ec::tls_error));
  CHECK(render(untrusted) ==
        "tls_error: certificate verify failed for " + origin +
            ": unable to get local issuer certificate; set tls.ca_file to the CA that issued "
            "the server certificate (or tls.insecure_skip_verify: true for a development "
            "endpoint)");

  auto insecure = get(origin, "/secure");
  insecure.tls.insecure_skip_verify = true;
  CHECK(response(env.call(insecure)).body == "secret");

  auto missing_ca = get(origin, "/secure");
  missing_ca.tls.ca_file = dir / "nope.pem";
  auto not_loaded = error(env.call(missing_ca));
  CHECK(is(not_loaded, ec::tls_error));
  CHECK(render(not_loaded) == "tls_error: cannot load CA certificates from tls.ca_file \"" +
                                  dir / "nope.pem" + "\" for " + origin +
                                  " (httplib: SSLLoadingCerts)");

  // A certificate from the trusted CA, but for another name.
  test_server other{std::make_unique<httplib::SSLServer>((dir / "other.pem").c_str(),
                                                         (dir / "other.key").c_str())};
  other->Get("/x", [](const httplib::Request&, httplib::Response&) {});
  other.start();
  auto wrong_name = get(other.origin("https"), "/x");
  wrong_name.tls.ca_file = dir / "ca.pem";
  auto mismatch = error(env.call(wrong_name));
  CHECK(is(mismatch, ec::tls_error));
  CHECK_THAT(render(mismatch),
             Catch::StartsWith("tls_error: certificate verify failed for " + other.origin("https") +
                               ": the certificate does not name host 127.0.0.1;"));

  // TLS to a plain HTTP server.
  test_server plain;
  plain->Get("/x", [](const httplib::Request&, httplib::Response&) {});
  plain.start();
  auto handshake = error(env.call(get(plain.origin("https"), "/x")));
  CHECK(is(handshake, ec::tls_error));
  CHECK_THAT(render(handshake), Catch::StartsWith("tls_error: TLS handshake with " +
                                                  plain.origin("https") + " failed"));
  env.stop();
}

TEST_CASE("http_pool restarts a worker that died and fails its request", "[http_pool]") {
  test_server server;
  concurrency seen;
  server->Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    seen.enter();
    std::this_thread::sleep_for(200ms);
    seen.leave();
    res.set_content("ok", "text/plain");
  });
  server.start();
  http_pool_config config;
  config.workers = 2;
  config.before_send = [](const http_request& req) {
    if (req.target == "/die")
      throw std::runtime_error("boom");
  };
  pool_env env{std::move(config)};

  auto died = error(env.call(get(server.origin(), "/die")));
  CHECK(is(died, ec::worker_failed));
  CHECK_THAT(render(died), Catch::Contains("http worker died") && Catch::Contains("boom"));
  auto s = env.await_stats([](auto& s) { return s.restarts == 1; });
  CHECK(s.restarts == 1);
  // Both workers serve again: two slow requests run at the same time.
  std::vector<http_request> reqs(4, get(server.origin(), "/slow"));
  for (auto& r : env.call_all(reqs))
    CHECK(response(r).body == "ok");
  CHECK(seen.max == 2);
  s = env.stats();
  CHECK(s.errors == 1);
  CHECK(s.completed == 4);
}

TEST_CASE("http_pool fails queued and in-flight requests on shutdown without waiting",
          "[http_pool]") {
  test_server server;
  gate blocked;
  server->Get("/block", [&](const httplib::Request&, httplib::Response& res) {
    blocked.wait();
    res.set_content("late", "text/plain");
  });
  server.start();
  {
    pool_env env{pool_config(1, 4)};
    std::vector<decltype(env.self->request(env.pool, 60s, http_atom::value, http_request{}))>
        handles;
    for (int i = 0; i < 3; ++i)
      handles.push_back(
          env.self->request(env.pool, 60s, http_atom::value, get(server.origin(), "/block")));
    auto s = env.await_stats([](auto& s) { return s.in_flight == 1 && s.queued == 2; });
    REQUIRE(s.queued == 2);
    env.self->send_exit(env.pool, caf::exit_reason::user_shutdown);
    std::vector<std::string> errors;
    for (auto& h : handles)
      h.receive([](http_response&) { FAIL("expected shutting_down"); },
                [&](caf::error& e) {
                  CHECK(is(e, ec::shutting_down));
                  errors.push_back(render(e));
                });
    REQUIRE(errors.size() == 3);
    CHECK(errors[0] == "shutting_down: GET " + server.origin() +
                           "/block: cancelled, the HTTP pool stopped (user_shutdown)");
    CHECK(errors[1] == "shutting_down: GET " + server.origin() +
                           "/block: not sent, the HTTP pool stopped (user_shutdown)");
    env.self->wait_for(env.pool);
    env.pool = nullptr;
  }                          // ~actor_system waits for the detached worker
  CHECK(!blocked.is_open()); // the worker's blocked call was cancelled, not awaited
  blocked.release();
}

// Not run by default: ./test_actors "[.bench]"
TEST_CASE("http_pool throughput with small requests", "[.bench]") {
  test_server server;
  server->set_keep_alive_max_count(1000000);
  server->Post("/ping", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "application/json");
  });
  server.start();
  for (size_t workers : {1, 8, 64}) {
    pool_env env{pool_config(workers)};
    auto req = get(server.origin(), "/ping");
    req.method = "POST";
    req.body = std::string(200, 'x');
    const size_t total = 5000;
    auto start = std::chrono::steady_clock::now();
    for (size_t done = 0; done < total; done += 64)
      for (auto& r : env.call_all(std::vector<http_request>(64, req)))
        REQUIRE(response(r).status == 200);
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN(workers << " workers: " << static_cast<int>(total / secs) << " requests/s, "
                 << env.stats().connections << " connections");
  }
}
