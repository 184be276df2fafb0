#pragma once

// systemd's notification protocol (sd_notify): datagrams of "KEY=VALUE" lines sent to the unix
// socket named by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace). Without
// $NOTIFY_SOCKET (not started by systemd, or Type= is not notify) every call is a no-op that
// succeeds.

#include "clients/error.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace bulkd {

class notifier {
public:
  /// A disabled notifier.
  notifier() = default;

  /// Sends to `socket_address` (absolute path or "@abstract"); empty means disabled.
  /// `watchdog_timeout` is what systemd expects pings within (WatchdogSec=).
  explicit notifier(std::string socket_address,
                    std::optional<std::chrono::microseconds> watchdog_timeout = std::nullopt);

  /// Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID (the watchdog applies only when
  /// WATCHDOG_PID is unset or this process's pid). With `unset_environment` the three variables are
  /// removed so child processes (e.g. an exec sink) do not inherit them.
  static notifier from_environment(bool unset_environment = true);

  notifier(notifier&& other) noexcept;
  notifier& operator=(notifier&& other) noexcept;
  notifier(const notifier&) = delete;
  notifier& operator=(const notifier&) = delete;
  ~notifier();

  bool enabled() const { return !address_.empty(); }
  const std::string& socket_address() const { return address_; }

  /// READY=1, plus STATUS= when `status` is not empty.
  caf::error ready(std::string_view status = {});
  /// STATUS=<text>; newlines in text become spaces.
  caf::error status(std::string_view text);
  /// STOPPING=1, plus STATUS= when `status` is not empty.
  caf::error stopping(std::string_view status = {});
  /// RELOADING=1 with MONOTONIC_USEC= (systemd >= 253 wants it, older ones ignore it). Send
  /// ready() when the reload is done.
  caf::error reloading();
  /// WATCHDOG=1.
  caf::error watchdog();
  /// Sends `state` as is (one or more "KEY=VALUE" lines). Safe to call from several threads.
  caf::error notify(std::string_view state);

  /// WATCHDOG_USEC: systemd restarts the service when no ping arrives within it.
  std::optional<std::chrono::microseconds> watchdog_timeout() const { return watchdog_; }
  /// Half the timeout, the interval systemd recommends for pings; nullopt without a watchdog.
  std::optional<std::chrono::microseconds> watchdog_interval() const;

private:
  std::string address_;
  std::optional<std::chrono::microseconds> watchdog_;
  int fd_ = -1;
};

} // namespace bulkd
