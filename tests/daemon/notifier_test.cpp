#include "daemon/notifier.hpp"

#include "tests/support/fake_systemd.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace bulkd;

using bulkd::test::fake_systemd;

TEST_CASE("the notifier sends each state as one datagram", "[notifier]") {
  fake_systemd systemd;
  ::setenv("NOTIFY_SOCKET", systemd.address().c_str(), 1);
  auto n = notifier::from_environment();
  CHECK(std::getenv("NOTIFY_SOCKET") == nullptr); // not inherited by child processes
  REQUIRE(n.enabled());
  CHECK(n.socket_address() == systemd.address());
  REQUIRE_FALSE(n.ready("3 jobs loaded"));
  CHECK(systemd.receive() == "READY=1\nSTATUS=3 jobs loaded");
  REQUIRE_FALSE(n.ready());
  CHECK(systemd.receive() == "READY=1");
  REQUIRE_FALSE(n.status("running 2 jobs\nline two"));
  CHECK(systemd.receive() == "STATUS=running 2 jobs line two");
  REQUIRE_FALSE(n.watchdog());
  CHECK(systemd.receive() == "WATCHDOG=1");
  REQUIRE_FALSE(n.reloading());
  auto reload = systemd.receive();
  CHECK(reload.starts_with("RELOADING=1\nMONOTONIC_USEC="));
  CHECK(reload.size() > std::string{"RELOADING=1\nMONOTONIC_USEC="}.size());
  REQUIRE_FALSE(n.stopping("draining"));
  CHECK(systemd.receive() == "STOPPING=1\nSTATUS=draining");
  REQUIRE_FALSE(n.stopping());
  CHECK(systemd.receive() == "STOPPING=1");
  REQUIRE_FALSE(n.notify("EXTEND_TIMEOUT_USEC=5000000"));
  CHECK(systemd.receive() == "EXTEND_TIMEOUT_USEC=5000000");
}

TEST_CASE("the notifier reaches abstract-namespace sockets", "[notifier]") {
  fake_systemd systemd{true};
  notifier n{systemd.address()};
  REQUIRE_FALSE(n.ready());
  CHECK(systemd.receive() == "READY=1");
}

TEST_CASE("without NOTIFY_SOCKET the notifier does nothing and succeeds", "[notifier]") {
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  auto n = notifier::from_environment();
  CHECK_FALSE(n.enabled());
  CHECK_FALSE(n.ready("x"));
  CHECK_FALSE(n.watchdog());
  CHECK_FALSE(n.watchdog_timeout());
  CHECK_FALSE(n.watchdog_interval());
}

TEST_CASE("the notifier reports bad or unreachable sockets", "[notifier]") {
  notifier relative{"relative/path"};
  auto err = relative.ready();
  REQUIRE(err);
  CHECK(render(err).find("NOTIFY_SOCKET must be an absolute path or start with '@': "
                         "relative/path") != std::string::npos);
  notifier missing{"/nonexistent-dir/notify.sock"};
  err = missing.ready();
  REQUIRE(err);
  CHECK(render(err).find("cannot notify /nonexistent-dir/notify.sock: No such file or directory") !=
        std::string::npos);
  notifier too_long{"/" + std::string(200, 'x')};
  err = too_long.ready();
  REQUIRE(err);
  CHECK(render(err).find("NOTIFY_SOCKET is too long") != std::string::npos);
}

TEST_CASE("the watchdog interval comes from WATCHDOG_USEC for this pid", "[notifier]") {
  using std::chrono::microseconds;
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::unsetenv("WATCHDOG_PID");
  auto n = notifier::from_environment(false);
  CHECK(n.watchdog_timeout() == microseconds{30000000});
  CHECK(n.watchdog_interval() == microseconds{15000000});
  CHECK(std::getenv("WATCHDOG_USEC") != nullptr); // kept when asked to
  ::setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  CHECK(notifier::from_environment(false).watchdog_timeout() == microseconds{30000000});
  ::setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  CHECK_FALSE(notifier::from_environment(false).watchdog_timeout()); // meant for another process
  ::unsetenv("WATCHDOG_PID");
  for (const char* bad : {"", "0", "abc", "12x", "-5"}) {
    ::setenv("WATCHDOG_USEC", bad, 1);
    CHECK_FALSE(notifier::from_environment(false).watchdog_timeout());
  }
  auto cleared = notifier::from_environment(true);
  CHECK(std::getenv("WATCHDOG_USEC") == nullptr);
}
