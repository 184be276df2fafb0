#include "jobs/error_text.hpp"
#include "jobs/expand.hpp"
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
    std::string tmpl = (std::filesystem::temp_directory_path() / "bulkd-expand-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream{path / name} << content;
    return (path / name).string();
  }
};

} // namespace

TEST_CASE("env references expand", "[jobs][expand]") {
  auto ctx = test::fake_context({{"HOST", "db.example.com"}, {"PORT", "443"}});
  auto x = expand("https://${env:HOST}:${env:PORT}/", ctx);
  REQUIRE(x);
  CHECK(x->value == "https://db.example.com:443/");
  CHECK(x->has_references);
  auto plain = expand("no references here", ctx);
  CHECK(plain->value == "no references here");
  CHECK_FALSE(plain->has_references);
}

TEST_CASE("file references expand with one trailing newline trimmed", "[jobs][expand]") {
  temp_dir dir;
  auto path = dir.write("token", "abc123\n");
  auto two = dir.write("two", "line\n\n");
  auto ctx = test::fake_context();
  CHECK(expand("${file:" + path + "}", ctx)->value == "abc123");
  CHECK(expand("[${file:" + two + "}]", ctx)->value == "[line\n]");
  auto missing = expand("${file:" + path + ".nope}", ctx);
  REQUIRE_FALSE(missing);
  CHECK(error_text(missing.error()) == "${file:" + path + ".nope}: cannot read " + path + ".nope");
  CHECK(error_text(expand("${file:relative/x}", ctx).error()) ==
        "${file:relative/x}: the path must be absolute");
}

TEST_CASE("credential references read $CREDENTIALS_DIRECTORY", "[jobs][expand]") {
  temp_dir dir;
  dir.write("cosmos-key", "s3cr3t\n");
  auto ctx = test::fake_context();
  ctx.credentials_dir = dir.path.string();
  CHECK(expand("${credential:cosmos-key}", ctx)->value == "s3cr3t");
  auto missing = expand("${credential:nope}", ctx);
  REQUIRE_FALSE(missing);
  CHECK(error_text(missing.error()) ==
        "${credential:nope}: credential 'nope' not found in $CREDENTIALS_DIRECTORY (" +
            dir.path.string() + ")");
  CHECK(error_text(expand("${credential:../etc/passwd}", ctx).error()) ==
        "${credential:../etc/passwd}: invalid credential name");
}

TEST_CASE("missing references are errors naming them", "[jobs][expand]") {
  auto ctx = test::fake_context();
  CHECK(error_text(expand("x${env:NOPE}y", ctx).error()) ==
        "${env:NOPE}: environment variable NOPE is not set");
  CHECK(error_text(expand("${credential:k}", ctx).error()) ==
        "${credential:k}: $CREDENTIALS_DIRECTORY is not set (no systemd credentials)");
  CHECK(error_text(expand("${vault:k}", ctx).error()) ==
        "${vault:k}: unknown reference type 'vault' (expected env, file or credential)");
  CHECK(error_text(expand("${env:X", ctx).error()) ==
        "unterminated reference '${env:X' (write $${ for a literal ${)");
  CHECK(error_text(expand("${nocolon}", ctx).error()) ==
        "invalid reference ${nocolon} (expected ${env:NAME}, ${file:/path} or "
        "${credential:NAME})");
}

TEST_CASE("deferred credentials resolve to nothing and are listed", "[jobs][expand]") {
  auto ctx = test::fake_context();
  ctx.defer_missing_credentials = true;
  auto x = expand("${credential:a}-${credential:b}", ctx);
  REQUIRE(x);
  CHECK(x->value == "-");
  CHECK(x->deferred == std::vector<std::string>{"a", "b"});
}

TEST_CASE("$${ escapes a literal ${", "[jobs][expand]") {
  auto ctx = test::fake_context({{"A", "1"}});
  CHECK(expand("$${env:A} is ${env:A}", ctx)->value == "${env:A} is 1");
  CHECK(expand("cost: $5", ctx)->value == "cost: $5");
  CHECK(expand("$$", ctx)->value == "$$");
}

TEST_CASE("expansion applies to spec values and its errors carry the position", "[jobs][expand]") {
  auto ctx = test::fake_context({{"DB", "shop"}});
  auto r = parse_job_file("name: a\nkind: change-feed\n"
                          "source: { account: main, database: \"${env:DB}\", container: c }\n"
                          "sink: { type: jsonl, path: \"${env:OUT}\" }\n",
                          "job.yaml", nullptr, ctx);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diags.size() == 1);
  CHECK(render(r.diags[0]) ==
        "job.yaml:4:28: error: sink.path: ${env:OUT}: environment variable OUT is not set");
  auto good = parse_job_file("name: a\nkind: change-feed\n"
                             "source: { account: main, database: \"${env:DB}\", container: c }\n"
                             "sink: { type: jsonl, path: /o }\n",
                             "job.yaml", nullptr, ctx);
  REQUIRE(good.ok());
  CHECK(std::get<change_feed_spec>(good.value->at(0).body).source.database == "shop");
}
