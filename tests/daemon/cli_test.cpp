#include "tests/support/child_process.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

std::pair<int, std::string> bulkd_cli(std::vector<std::string> args) {
  args.insert(args.begin(), BULKD_BINARY);
  auto log = std::filesystem::temp_directory_path() /
             ("bulkd-cli-test-" + std::to_string(::getpid()) + ".log");
  auto result = bulkd::test::run_to_completion(std::move(args), log.string());
  std::filesystem::remove(log);
  return result;
}

} // namespace

TEST_CASE("every subcommand explains itself with --help") {
  for (auto cmd : {"serve", "run", "validate", "emulator", "demo", "jobs", "status", "trigger",
                   "cancel", "keys", "checkpoint", "version"}) {
    INFO(cmd);
    auto [rc, out] = bulkd_cli({cmd, "--help"});
    CHECK(rc == 0);
    CHECK(out.find("Usage:") != std::string::npos);
  }
  auto [rc, out] = bulkd_cli({"--help"});
  CHECK(rc == 0);
  CHECK(out.find("Exit codes:") != std::string::npos);
}

TEST_CASE("bad command lines are usage errors with exit code 2") {
  CHECK(bulkd_cli({}).first == 2);
  CHECK(bulkd_cli({"no-such-command"}).first == 2);
  CHECK(bulkd_cli({"trigger"}).first == 2); // job name missing
  auto [rc, out] = bulkd_cli({"serve", "--no-such-flag"});
  CHECK(rc == 2);
  CHECK(out.find("--no-such-flag") != std::string::npos);
}

TEST_CASE("version prints the project version") {
  auto [rc, out] = bulkd_cli({"version"});
  CHECK(rc == 0);
  CHECK(out == std::string{"bulkd "} + BULKD_VERSION + "\n");
}

TEST_CASE("run --dev and serve --dev start the embedded emulator where the profile points, a "
          "taken port is named and exits 4") {
  char tmpl[] = "/tmp/bulkd-dev-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  auto taken = std::to_string(ntohs(addr.sin_port));
  auto write_profile = [&](const std::string& port) {
    std::ofstream{dir / "bulkd.yaml"}
        << "state_dir: state\njobs_dir: jobs.d\nlog: { level: warn }\n"
        << "admin: { listen: \"127.0.0.1:0\" }\n"
        << "accounts:\n  dev:\n    endpoint: \"http://127.0.0.1:" << port << "\"\n"
        << "    key: "
           "\"C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy6"
           "7XIw/Jw==\"\n";
  };
  std::filesystem::create_directories(dir / "jobs.d");
  write_profile(taken);
  for (std::vector<std::string> args :
       {std::vector<std::string>{"run", "--dev", "x.yaml"}, {"serve", "--dev"}}) {
    INFO(args[0]);
    args.push_back("--config");
    args.push_back((dir / "bulkd.yaml").string());
    auto [rc, out] = bulkd_cli(args);
    INFO(out);
    CHECK(rc == 4);
    CHECK(out.find("cannot start the embedded emulator on 127.0.0.1:" + taken) !=
          std::string::npos);
  }
  ::close(fd);

  // A free port (the config refuses port 0): a one-shot bulk load into the embedded emulator.
  fd = ::socket(AF_INET, SOCK_STREAM, 0);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  write_profile(std::to_string(ntohs(addr.sin_port)));
  std::ofstream{dir / "docs.jsonl"} << R"({"id":"a","pk":"1"})"
                                       "\n"
                                       R"({"id":"b","pk":"2"})"
                                       "\n";
  std::ofstream{dir / "load.yaml"}
      << "name: load\nkind: bulk-upsert\nsource: { path: " << (dir / "docs.jsonl").string()
      << ", format: jsonl }\ntarget: { account: dev, database: shop, container: items, "
         "create_if_missing: { partition_key: /pk } }\n";
  auto [rc, out] = bulkd_cli(
      {"run", "--dev", "--config", (dir / "bulkd.yaml").string(), (dir / "load.yaml").string()});
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("embedded emulator (development only, data in memory) at http://127.0.0.1:") !=
        std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("validate of a daemon config also checks the jobs it would load") {
  char tmpl[] = "/tmp/bulkd-validate-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  std::filesystem::create_directories(dir / "jobs.d");
  std::ofstream{dir / "bulkd.yaml"} << "state_dir: state\njobs_dir: jobs.d\n";
  std::ofstream{dir / "jobs.d/broken.yaml"} << "name: broken\nkind: key-backup\nvault: nowhere\n";
  auto [rc, out] = bulkd_cli({"validate", (dir / "bulkd.yaml").string()});
  CHECK(rc == 1);
  CHECK(out.find("broken.yaml:3:8") != std::string::npos);
  CHECK(out.find("nowhere") != std::string::npos);
  std::filesystem::remove(dir / "jobs.d/broken.yaml");
  auto [rc_ok, out_ok] = bulkd_cli({"validate", (dir / "bulkd.yaml").string()});
  CHECK(rc_ok == 0);
  INFO(out_ok);
  std::filesystem::remove_all(dir);
}

TEST_CASE("demo runs the emulator with the example bulk load, change feed and key backup, and the "
          "daemon running them end to end") {
  auto [rc, out] = bulkd_cli({"demo"});
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("FAIL") == std::string::npos);
  CHECK(out.find("[ ok ] emulator up") != std::string::npos);
  CHECK(out.find("20000 of 20000 written") != std::string::npos);
  CHECK(out.find("[ ok ] sample keys in the emulator's Key Vault  20 keys, 26 versions (7 RSA, "
                 "7 EC, 6 oct), 14 tagged") != std::string::npos);
  CHECK(out.find("[ ok ] key-backup backup-keys (bulkd run)       20 keys backed up in ") !=
        std::string::npos);
  CHECK(out.find("keys/s), AES-256-GCM") != std::string::npos);
  CHECK(out.find("[ ok ]   backup set") != std::string::npos);
  CHECK(out.find("/backups/keys/127.0.0.1_") != std::string::npos);
  CHECK(out.find("[ ok ] bulkd keys verify (hashes, decryption)   ok, 20 key(s) checked") !=
        std::string::npos);
  CHECK(out.find("[ ok ] SIGTERM: ordered shutdown") != std::string::npos);
  CHECK(out.find("load-products") != std::string::npos);
  CHECK(out.find("backup-keys") != std::string::npos);
  CHECK(out.find("not create sample keys") == std::string::npos);
  CHECK(out.find("[ ok ] emulator up in-process") != std::string::npos);
  CHECK(out.find("[ ok ] change-feed products-feed (bulkd run)    20000 changes to ") !=
        std::string::npos);
  CHECK(out.find("caught up on 4 ranges") != std::string::npos);
  CHECK(out.find("[ ok ] serve: POST /v1/jobs/load-products/run   succeeded, 5000 written") !=
        std::string::npos);
  CHECK(out.find("[ ok ] serve: products-feed (continuous)        5000 of 5000 new changes") !=
        std::string::npos);
}
