#pragma once

// A unix datagram socket standing in for systemd's notification socket ($NOTIFY_SOCKET), for tests
// of sd_notify messages. Use from Catch2 tests.

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace bulkd::test {

class fake_systemd {
public:
  /// `abstract`: bind "\0name" and give the address as "@name".
  explicit fake_systemd(bool abstract = false) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    set_receive_timeout(2);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t len = 0;
    if (abstract) {
      auto name = "bulkd-test-" + std::to_string(::getpid());
      address_ = "@" + name;
      std::memcpy(addr.sun_path + 1, name.data(), name.size());
      len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    } else {
      char tmpl[] = "/tmp/bulkd-notify-XXXXXX";
      REQUIRE(::mkdtemp(tmpl) != nullptr);
      dir_ = tmpl;
      address_ = dir_ + "/notify.sock";
      std::memcpy(addr.sun_path, address_.data(), address_.size());
      len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size() + 1);
    }
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
  }

  fake_systemd(const fake_systemd&) = delete;
  fake_systemd& operator=(const fake_systemd&) = delete;

  ~fake_systemd() {
    ::close(fd_);
    if (!dir_.empty())
      std::filesystem::remove_all(dir_);
  }

  const std::string& address() const { return address_; }

  void set_receive_timeout(int seconds) {
    timeval tv{seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }

  /// The next datagram, or "<nothing received>" after the receive timeout.
  std::string receive() {
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof(buf), 0);
    return n < 0 ? std::string{"<nothing received>"} : std::string{buf, static_cast<size_t>(n)};
  }

  /// Receives datagrams until one contains `needle`; returns it, or "" after the timeout.
  std::string receive_until(const std::string& needle, int max_messages = 50) {
    for (int i = 0; i < max_messages; ++i) {
      auto msg = receive();
      if (msg == "<nothing received>")
        return {};
      if (msg.find(needle) != std::string::npos)
        return msg;
    }
    return {};
  }

private:
  int fd_ = -1;
  std::string dir_;
  std::string address_;
};

} // namespace bulkd::test
