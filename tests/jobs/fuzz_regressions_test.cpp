// Inputs that scripts/fuzz found to break the spec loaders and input readers, kept as tests.

#include "jobs/spec_loader.hpp"
#include "tests/jobs/bulk_upsert/reader_test_support.hpp"
#include "tests/jobs/spec_test_support.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;

TEST_CASE("fuzz: a lone ',' is a YAML syntax error, not an endless stream of documents",
          "[spec][fuzz]") {
  // yaml-cpp 0.7's LoadAll returns null documents for ever on these (jbeder/yaml-cpp#1040).
  auto ctx = test::fake_context();
  auto jobs = parse_job_file(",", "j.yaml", nullptr, ctx);
  REQUIRE_FALSE(jobs.ok());
  REQUIRE(jobs.diags.size() == 1);
  CHECK(render(jobs.diags[0]) == "j.yaml:1:1: error: YAML syntax error: unexpected ','");

  auto later =
      parse_job_file("name: a\nkind: key-backup\nvault: v\n---\n,\n", "j.yaml", nullptr, ctx);
  REQUIRE_FALSE(later.ok());
  CHECK(test::all(later.diags) == "j.yaml:5:1: error: YAML syntax error: unexpected ','\n");

  auto config = parse_daemon_config("log: { level: info }\n---\n,", "bulkd.yaml", ctx);
  REQUIRE_FALSE(config.ok());
  CHECK(test::all(config.diags) == "bulkd.yaml:3:1: error: YAML syntax error: unexpected ','\n");

  // Empty documents between markers still load.
  auto empty_docs = parse_daemon_config("---\n---\nlog: { level: warn }\n---\n", "bulkd.yaml", ctx);
  REQUIRE(empty_docs.ok());
  CHECK(empty_docs.value->log.level == log_level::warn);
}

TEST_CASE("fuzz: a json-array record followed by garbage keeps a resume position",
          "[bulk][inputs][fuzz]") {
  // The element is handed on before the separator is read; when the separator is broken (or
  // missing at the end of the file) the record used to keep end = 0.
  test::temp_dir dir;
  for (auto [content, message] : {
           std::pair{std::string{"[{\"id\":\"1\"}\0]", 14},
                     std::string{"expected ',' or ']' after the element that starts at line 1, "
                                 "found byte 0 at line 1, column 12 (offset 11)"}},
           std::pair{std::string{"[{\"id\":\"1\"}  "},
                     std::string{"the file ends inside the array (a ']' is missing) at line 1, "
                                 "column 14 (offset 13)"}},
       }) {
    auto path = dir.write("in.json", content);
    auto r = test::read_file(path, test::json_array(), {}, {}, test::tiny_blocks(2));
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0].id == "1");
    CHECK(r.records[0].at.begin == 1);
    CHECK(r.records[0].at.end == 11);
    CHECK(r.error == "parse_error: " + path + ": " + message);
  }
}
