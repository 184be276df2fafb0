#include "daemon/notifier.hpp"

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace bulkd {

namespace {

std::optional<uint64_t> parse_u64(const char* text) {
  if (text == nullptr || *text == '\0')
    return std::nullopt;
  std::string_view s{text};
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return value;
}

std::string one_line(std::string_view text) {
  std::string result{text};
  for (auto& c : result)
    if (c == '\n' || c == '\r')
      c = ' ';
  return result;
}

} // namespace

notifier::notifier(std::string socket_address,
                   std::optional<std::chrono::microseconds> watchdog_timeout)
    : address_(std::move(socket_address)), watchdog_(watchdog_timeout) {
  // Opened once here so that notify() may be called from several threads.
  if (enabled())
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

notifier notifier::from_environment(bool unset_environment) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  std::optional<std::chrono::microseconds> watchdog;
  auto usec = parse_u64(std::getenv("WATCHDOG_USEC"));
  auto pid = parse_u64(std::getenv("WATCHDOG_PID"));
  if (usec && *usec > 0 && (!pid || *pid == static_cast<uint64_t>(getpid())))
    watchdog = std::chrono::microseconds{*usec};
  notifier result{socket ? std::string{socket} : std::string{}, watchdog};
  if (unset_environment) {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
  }
  return result;
}

notifier::notifier(notifier&& other) noexcept
    : address_(std::move(other.address_)), watchdog_(other.watchdog_), fd_(other.fd_) {
  other.address_.clear();
  other.fd_ = -1;
}

notifier& notifier::operator=(notifier&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    address_ = std::move(other.address_);
    watchdog_ = other.watchdog_;
    fd_ = other.fd_;
    other.address_.clear();
    other.fd_ = -1;
  }
  return *this;
}

notifier::~notifier() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::optional<std::chrono::microseconds> notifier::watchdog_interval() const {
  if (!watchdog_)
    return std::nullopt;
  return *watchdog_ / 2;
}

caf::error notifier::notify(std::string_view state) {
  if (!enabled())
    return {};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (address_[0] != '/' && address_[0] != '@')
    return make_error(ec::invalid_argument,
                      "NOTIFY_SOCKET must be an absolute path or start with '@': " + address_);
  if (address_.size() >= sizeof(addr.sun_path))
    return make_error(ec::invalid_argument, "NOTIFY_SOCKET is too long: " + address_);
  std::memcpy(addr.sun_path, address_.data(), address_.size());
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  if (address_[0] == '@')
    addr.sun_path[0] = '\0'; // abstract namespace: no terminating NUL counted
  else
    len += 1;
  if (fd_ < 0)
    return make_error(ec::io_error, "cannot create a socket to notify " + address_);
  auto sent = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr), len);
  if (sent < 0)
    return make_error(ec::io_error, "cannot notify " + address_ + ": " + std::strerror(errno));
  return {};
}

caf::error notifier::ready(std::string_view status) {
  if (status.empty())
    return notify("READY=1");
  return notify("READY=1\nSTATUS=" + one_line(status));
}

caf::error notifier::status(std::string_view text) {
  return notify("STATUS=" + one_line(text));
}

caf::error notifier::stopping(std::string_view status) {
  if (status.empty())
    return notify("STOPPING=1");
  return notify("STOPPING=1\nSTATUS=" + one_line(status));
}

caf::error notifier::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  auto usec =
      static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  return notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

caf::error notifier::watchdog() {
  return notify("WATCHDOG=1");
}

} // namespace bulkd
