// Whole-file behaviour: all errors at once, multi-document files, jobs directories, secrets.

#include "jobs/spec_loader.hpp"
#include "jobs/spec_printer.hpp"
#include "tests/jobs/spec_test_support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace bulkd;

namespace {

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bulkd-jobs-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream{path / name} << content;
    return (path / name).string();
  }
};

constexpr const char* key_job =
    "name: {}\nkind: key-backup\nvault: main\ndestination: { path: /b }\n";

std::string job(const std::string& name) {
  std::string s = key_job;
  s.replace(s.find("{}"), 2, name);
  return s;
}

} // namespace

TEST_CASE("every error of a file is reported at once, and no value", "[jobs][all-errors]") {
  auto cfg = test::reference_config();
  auto r = parse_job_file("name: orders\nkind: change-feed\n"
                          "source: { account: main, database: shop, container: orders }\n"
                          "poll_interval: 1 second\n"
                          "max_batch: 100000\n"
                          "sink: { type: jsonl, path: /o, rotate: big }\n",
                          "three.yaml", &cfg, test::fake_context());
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.value.has_value());
  REQUIRE(r.diags.size() == 3);
  CHECK(render(r.diags[0]) ==
        "three.yaml:4:16: error: poll_interval: invalid duration '1 second': unknown unit "
        "(expected e.g. 250ms, 30s, 5m, 1h, 1d)");
  CHECK(render(r.diags[1]) == "three.yaml:5:12: error: max_batch: must be at most 10000, got "
                              "'100000'");
  CHECK(render(r.diags[2]) == "three.yaml:6:40: error: sink.rotate: invalid size 'big': no "
                              "number (expected bytes or e.g. 512KiB, 256MiB, 1GB)");
}

TEST_CASE("errors in several documents of one file all come back", "[jobs][all-errors]") {
  auto r = parse_job_file(job("a") + "retry: { max_attempts: 0 }\n---\n" + job("b") +
                              "api_versoin: x\n---\n" + job("c/d"),
                          "multi.yaml", nullptr, test::fake_context());
  CHECK_FALSE(r.ok());
  REQUIRE(r.diags.size() == 3);
  CHECK(r.diags[0].path == "jobs[0].retry.max_attempts");
  CHECK(r.diags[0].line == 5);
  CHECK(r.diags[1].path == "jobs[1].api_versoin");
  CHECK(r.diags[1].message ==
        "unknown key 'api_versoin' for kind key-backup (did you mean 'api_version'?)");
  CHECK(r.diags[1].line == 11);
  CHECK(r.diags[2].path == "jobs[2].name");
  CHECK(r.diags[2].line == 13);
}

TEST_CASE("multi-document files hold several jobs", "[jobs][multidoc]") {
  auto r = parse_job_file("---\n" + job("a") + "---\n" + job("b") + "---\n", "multi.yaml", nullptr,
                          test::fake_context());
  INFO(test::all(r.diags));
  REQUIRE(r.ok());
  REQUIRE(r.value->size() == 2);
  CHECK(r.value->at(0).name == "a");
  CHECK(r.value->at(1).name == "b");
  CHECK(r.value->at(1).origin.line == 7);
  auto empty = parse_job_file("# nothing\n", "empty.yaml", nullptr, test::fake_context());
  REQUIRE_FALSE(empty.ok());
  CHECK(render(empty.diags.at(0)) == "empty.yaml: error: the file holds no job");
}

TEST_CASE("a jobs directory loads every yaml file, duplicates name both places", "[jobs][dir]") {
  temp_dir dir;
  auto cfg = test::reference_config();
  dir.write("a.yaml", job("one") + "---\n" + job("two"));
  dir.write("b.yml", job("three"));
  dir.write("notes.txt", "not a job");
  auto ok = load_jobs_dir(dir.path.string(), cfg, test::fake_context());
  INFO(test::all(ok.diags));
  REQUIRE(ok.ok());
  CHECK(ok.value->size() == 3);

  dir.write("c.yaml", "# again\n" + job("two"));
  auto dup = load_jobs_dir(dir.path.string(), cfg, test::fake_context());
  REQUIRE_FALSE(dup.ok());
  REQUIRE(dup.diags.size() == 1);
  auto a = (dir.path / "a.yaml").string();
  auto c = (dir.path / "c.yaml").string();
  CHECK(render(dup.diags[0]) ==
        c + ":2:7: error: name: duplicate job name 'two' (also defined at " + a + ":6:7)");

  // jobs_dir relative to the config file's directory.
  std::filesystem::create_directory(dir.path / "etc");
  auto cfg_file =
      dir.write("etc/bulkd.yaml", "jobs_dir: ..\nvaults: { main: { url: \"https://v\" } }\n");
  auto loaded_cfg = load_daemon_config(cfg_file, test::fake_context());
  REQUIRE(loaded_cfg.ok());
  auto via_config = load_configured_jobs(*loaded_cfg.value, test::fake_context());
  CHECK_FALSE(via_config.ok());
  INFO(test::all(via_config.diags));
  REQUIRE(via_config.diags.size() == 1);
  CHECK(via_config.diags[0].message ==
        "duplicate job name 'two' (also defined at " +
            (dir.path / "etc/../a.yaml").lexically_normal().string() + ":6:7)");

  auto missing = load_jobs_dir((dir.path / "nope").string(), cfg, test::fake_context());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.diags.at(0).message.rfind("cannot read the jobs directory: ", 0) == 0);
}

TEST_CASE("files are told apart: job files and daemon configs", "[jobs][classify]") {
  temp_dir dir;
  CHECK(classify_spec_file(dir.write("j.yaml", job("a"))) == spec_file_kind::jobs);
  CHECK(classify_spec_file(dir.write("m.yaml", "a: 1\n---\nb: 2\n")) == spec_file_kind::jobs);
  CHECK(classify_spec_file(dir.write("c.yaml", "state_dir: /x\n")) ==
        spec_file_kind::daemon_config);
  CHECK(classify_spec_file(dir.write("bad.yaml", "kind: [x\n")) == spec_file_kind::jobs);
  CHECK(classify_spec_file((dir.path / "none.yaml").string()) == spec_file_kind::unreadable);
  CHECK(classify_spec_file(dir.path.string()) == spec_file_kind::jobs_dir);
}

TEST_CASE("secrets never appear in printed specs or diagnostics", "[jobs][secrets]") {
  // base64 of 32 bytes, so that it is also a valid encryption key
  const std::string key = "U1VQRVJTRUNSRVRLRVlWQUxVRS1TVVBFUlNFQ1JFVCE=";
  auto ctx = test::fake_context({{"TOKEN", "ENVSECRET42"}});
  auto cfg = parse_daemon_config("admin: { token: \"${env:TOKEN}\" }\n"
                                 "accounts:\n  main: { endpoint: \"https://a\", key: \"" +
                                     key +
                                     "\" }\n"
                                     "  cs: { connection_string: \"AccountEndpoint=https://b/;"
                                     "AccountKey=" +
                                     key +
                                     ";\" }\n"
                                     "vaults:\n  v:\n    url: https://v\n    credential: { type: "
                                     "client-secret, tenant_id: t, client_id: c, client_secret: " +
                                     key + " }\n",
                                 "s.yaml", ctx);
  INFO(test::all(cfg.diags));
  REQUIRE(cfg.ok());
  CHECK(cfg.value->admin.token.reveal() == "ENVSECRET42");
  auto printed = print_daemon_config(*cfg.value);
  CHECK(printed.find(key) == std::string::npos);
  CHECK(printed.find("ENVSECRET42") == std::string::npos);
  CHECK(printed.find("***") != std::string::npos);

  auto job_text = "name: a\nkind: key-backup\nvault: main\n"
                  "destination: { path: /b, encryption_key: \"" +
                  key +
                  "\" }\n"
                  "---\nname: f\nkind: change-feed\n"
                  "source: { account: main, database: d, container: c }\n"
                  "sink: { type: http, url: \"https://h\", headers: { Authorization: \"Bearer " +
                  key + "\" } }\n";
  auto jobs = parse_job_file(job_text, "j.yaml", nullptr, ctx);
  REQUIRE(jobs.ok());
  auto printed_jobs = print_jobs(*jobs.value);
  CHECK(printed_jobs.find(key) == std::string::npos);
  CHECK(printed_jobs.find("encryption_key: \"***\"") != std::string::npos);

  // Secrets in wrong-typed or invalid positions are not echoed either.
  auto bad = parse_daemon_config("admin: { token: [\"" + key +
                                     "\"] }\n"
                                     "accounts:\n"
                                     "  a: { endpoint: \"" +
                                     key + "\", key: { nested: \"" + key +
                                     "\" } }\n"
                                     "  b: { connection_string: \"AccountKey=" +
                                     key +
                                     "\" }\n"
                                     "  c: { endpoint: \"https://c\", key: k, extra: \"" +
                                     key +
                                     "\" }\n"
                                     "vaults:\n  v: { url: \"ftp://" +
                                     key +
                                     "\" }\n"
                                     "log: { level: \"" +
                                     key +
                                     "\" }\n"
                                     "shutdown_timeout: \"${env:TOKEN}\"\n",
                                 "bad.yaml", ctx);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.diags.size() == 8);
  auto text = test::all(bad.diags);
  INFO(text);
  CHECK(text.find(key) == std::string::npos);
  CHECK(text.find("ENVSECRET42") == std::string::npos);
  CHECK(text.find("shutdown_timeout: '${env:TOKEN}' does not expand to a valid duration") !=
        std::string::npos);
}

TEST_CASE("unresolvable credentials can be deferred to warnings", "[jobs][expand]") {
  auto ctx = test::fake_context();
  ctx.defer_missing_credentials = true;
  auto r = parse_daemon_config("admin: { token: \"${credential:admin-token}\" }\n", "d.yaml", ctx);
  REQUIRE(r.ok());
  REQUIRE(r.diags.size() == 1);
  CHECK(render(r.diags[0]) == "d.yaml:1:17: warning: admin.token: credential 'admin-token' not "
                              "checked: $CREDENTIALS_DIRECTORY is not set");
  ctx.defer_missing_credentials = false;
  auto strict =
      parse_daemon_config("admin: { token: \"${credential:admin-token}\" }\n", "d.yaml", ctx);
  REQUIRE_FALSE(strict.ok());
  CHECK(render(strict.diags.at(0)) ==
        "d.yaml:1:17: error: admin.token: ${credential:admin-token}: $CREDENTIALS_DIRECTORY "
        "is not set (no systemd credentials)");
}

TEST_CASE("settings that have no effect are warnings", "[jobs][warnings]") {
  auto r = parse_job_file("name: f\nkind: change-feed\n"
                          "source: { account: main, database: d, container: c }\n"
                          "sink: { type: jsonl, path: /o }\n"
                          "dead_letter: { path: /dl }\n",
                          "w.yaml", nullptr, test::fake_context());
  REQUIRE(r.ok());
  REQUIRE(r.diags.size() == 1);
  CHECK(render(r.diags[0]) ==
        "w.yaml:5:1: warning: dead_letter: dead_letter is not used with on_failure: stop");
}
