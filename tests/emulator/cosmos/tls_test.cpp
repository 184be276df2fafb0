#include "clients/cosmos/error_message.hpp"
#include "emulator/tls_certificate.hpp"
#include "tests/emulator/cosmos/emulator_fixture.hpp"

#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace bulkd::emulator;
using namespace bulkd::emulator::testing;
namespace fs = std::filesystem;

TEST_CASE("emulator TLS: a self-signed certificate clients can trust", "[emulator][tls]") {
  auto dir = fs::temp_directory_path() / ("bulkd-emu-tls-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto files = ensure_self_signed_certificate(dir.string());
  REQUIRE(files);
  struct stat st {};
  REQUIRE(::stat(files->private_key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto first_cert = std::filesystem::last_write_time(files->certificate);
  auto again = ensure_self_signed_certificate(dir.string());
  REQUIRE(again);
  CHECK(std::filesystem::last_write_time(again->certificate) == first_cert); // kept, not redone

  fixture_options opts;
  opts.tls = *files;
  emulator_fixture emu{opts};
  CHECK(emu.srv->base_url() == "https://127.0.0.1:" + std::to_string(emu.srv->port()) + "/");
  auto r = emu.send("GET", "/");
  REQUIRE(r.status == 200);
  CHECK(r.json["writableLocations"][0]["databaseAccountEndpoint"] ==
        "https://127.0.0.1:" + std::to_string(emu.srv->port()) + "/");
  CHECK(emu.create_database("db").status == 201);

  // A client that does not trust the certificate is refused.
  httplib::Client untrusting{"https://127.0.0.1:" + std::to_string(emu.srv->port())};
  untrusting.set_ca_cert_path((dir / "missing.pem").c_str());
  untrusting.enable_server_certificate_verification(true);
  auto refused = untrusting.Get("/");
  CHECK_FALSE(refused);
  fs::remove_all(dir);
}

TEST_CASE("emulator TLS: an unusable certificate is a clear start error", "[emulator][tls]") {
  auto dir = fs::temp_directory_path() / ("bulkd-emu-badtls-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  server_config config;
  config.port = 0;
  config.tls = {(dir / "nope.pem").string(), (dir / "nope-key.pem").string()};
  server srv{config};
  auto started = srv.start();
  REQUIRE_FALSE(started);
  CHECK_THAT(bulkd::cosmos::error_message(started.error()),
             Catch::Contains("cannot use the TLS certificate") && Catch::Contains("nope.pem"));
  fs::remove_all(dir);
}
