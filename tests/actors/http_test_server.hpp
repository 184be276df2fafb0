#pragma once

// An httplib server on 127.0.0.1 (ephemeral port) for tests of http_pool.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>

namespace bulkd::test {

class test_server {
public:
  explicit test_server(
      std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
      : server_(std::move(server)) {
    server_->new_task_queue = [] { return new httplib::ThreadPool(64); };
    // Without it, a response written in two parts waits for the client's delayed ACK (40 ms).
    server_->set_tcp_nodelay(true);
    server_->set_socket_options([this](int sock) {
      int one = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      listen_fd_ = sock;
    });
  }

  ~test_server() { stop(); }

  httplib::Server& operator*() { return *server_; }
  httplib::Server* operator->() { return server_.get(); }

  /// Call after registering the handlers.
  void start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0)
      throw std::runtime_error("test_server: bind failed");
    // Debian's libcpp-httplib listens with a backlog of 5; dozens of simultaneous connects would
    // then wait for SYN retries. Linux lets us raise the backlog of a listening socket.
    ::listen(listen_fd_, 256);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }

  void stop() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  int port() const { return port_; }
  std::string origin(const char* scheme = "http") const {
    return std::string{scheme} + "://127.0.0.1:" + std::to_string(port_);
  }

private:
  std::unique_ptr<httplib::Server> server_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

/// Blocks handlers until released (or a safety limit passes).
class gate {
public:
  void wait(std::chrono::milliseconds limit = std::chrono::seconds{20}) {
    std::unique_lock<std::mutex> lock{mtx_};
    cv_.wait_for(lock, limit, [this] { return open_; });
  }
  void release() {
    std::lock_guard<std::mutex> guard{mtx_};
    open_ = true;
    cv_.notify_all();
  }
  bool is_open() {
    std::lock_guard<std::mutex> guard{mtx_};
    return open_;
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool open_ = false;
};

/// Counts handlers running at the same time.
struct concurrency {
  std::atomic<int> now{0};
  std::atomic<int> max{0};
  void enter() {
    int v = ++now;
    int m = max.load();
    while (v > m && !max.compare_exchange_weak(m, v)) {
    }
  }
  void leave() { --now; }
};

} // namespace bulkd::test
