// Runs the built `bulkd validate` (the bulkd target must be built before ctest runs this).

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct run_result {
  int status = -1;
  std::string output; // stdout and stderr
};

run_result run(const std::string& args) {
  std::string cmd = std::string{BULKD_BINARY} + " " + args + " 2>&1";
  run_result r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    r.output.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

} // namespace

TEST_CASE("bulkd validate accepts the example configs", "[jobs][cli]") {
  REQUIRE(std::filesystem::exists(BULKD_BINARY));
  std::string root = BULKD_SOURCE_DIR;
  auto r = run("validate --config " + root + "/config/bulkd.yaml " + root +
               "/config/jobs.d/load-products.yaml " + root + "/config/jobs.d/orders-feed.yaml " +
               root + "/config/jobs.d/nightly-keys.yaml");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output.find("valid: 3 files, 3 jobs loaded; 0 errors") != std::string::npos);
  auto whole_dir =
      run("validate --config " + root + "/config/bulkd.yaml " + root + "/config/jobs.d");
  INFO(whole_dir.output);
  CHECK(whole_dir.status == 0);
  CHECK(whole_dir.output.find("valid: 1 file, 3 jobs loaded; 0 errors") != std::string::npos);
  auto dev = run("validate " + root + "/config/dev/bulkd.yaml");
  INFO(dev.output);
  CHECK(dev.status == 0);
}

TEST_CASE("bulkd validate reports a bad file with its position and exits 1", "[jobs][cli]") {
  REQUIRE(std::filesystem::exists(BULKD_BINARY));
  std::string tmpl = (std::filesystem::temp_directory_path() / "bulkd-cli-XXXXXX").string();
  std::filesystem::path dir = mkdtemp(tmpl.data());
  auto bad = (dir / "bad.yaml").string();
  std::ofstream{bad} << "name: b\nkind: bulk-upsert\nsource: { path: /in/x, format: xml }\n"
                        "target: { account: main, database: d, container: c }\n"
                        "concurrency: { batch: 500 }\n";
  auto r = run("validate --print " + bad);
  std::filesystem::remove_all(dir);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.output.find(bad + ":3:32: error: source.format: invalid format 'xml'; expected jsonl, "
                            "csv or json-array") != std::string::npos);
  CHECK(r.output.find(bad + ":5:23: error: concurrency.batch: must be at most 100, got '500'") !=
        std::string::npos);
  CHECK(r.output.find("references were not checked") != std::string::npos);
  CHECK(r.output.find("invalid: 1 file, 0 jobs loaded; 2 errors, 1 warning") != std::string::npos);
}

TEST_CASE("bulkd validate --print masks secrets", "[jobs][cli]") {
  REQUIRE(std::filesystem::exists(BULKD_BINARY));
  std::string root = BULKD_SOURCE_DIR;
  auto r = run("validate --print " + root + "/config/dev/bulkd.yaml");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output.find("key: \"***\"") != std::string::npos);
  CHECK(r.output.find("client_secret: \"***\"") != std::string::npos);
  CHECK(r.output.find("C2y6yDjf5") == std::string::npos);
  CHECK(r.output.find("bulkd-dev-secret") == std::string::npos);
}
