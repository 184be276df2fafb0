#include "clients/error.hpp"
#include "jobs/dead_letter_writer.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace fs = std::filesystem;
using namespace bulkd;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-deadletter-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct scoped_umask {
  mode_t old;
  explicit scoped_umask(mode_t m) : old(::umask(m)) {}
  ~scoped_umask() { ::umask(old); }
};

std::vector<nlohmann::json> read_lines(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line))
    out.push_back(nlohmann::json::parse(line));
  return out;
}

utc_time at_ms(int64_t ms) {
  return utc_time{std::chrono::milliseconds{ms}};
}

} // namespace

TEST_CASE("dead letters: JSON lines that parse back, file 0600 in new 0700 directories",
          "[dead_letter]") {
  temp_dir dir;
  scoped_umask um{0};
  auto file = dir.path / "dead-letter" / "job.jsonl";
  auto writer = dead_letter_writer::open(file);
  REQUIRE(writer);
  CHECK(writer->path() == file);
  REQUIRE_FALSE(writer->append(
      {"in/a.jsonl", 17, 400, 0, "invalid document", "x1", R"({"id":"x1","n":[1,2]})"},
      at_ms(1'769'860'800'250))); // 2026-01-31T12:00:00.250Z
  REQUIRE_FALSE(
      writer->append({"in/a.jsonl", 18, 0, 0, "line 18: invalid JSON", "", "{\"id\": oops"},
                     at_ms(1'769'860'801'000)));
  REQUIRE_FALSE(writer->sync());
  CHECK(writer->written() == 2);

  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(file.parent_path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  auto lines = read_lines(file);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["time"] == "2026-01-31T12:00:00.250Z");
  CHECK(lines[0]["source_file"] == "in/a.jsonl");
  CHECK(lines[0]["line"] == 17);
  CHECK(lines[0]["status"] == 400);
  CHECK(lines[0]["substatus"] == 0);
  CHECK(lines[0]["message"] == "invalid document");
  CHECK(lines[0]["id"] == "x1");
  CHECK(lines[0]["record"] == nlohmann::json::parse(R"({"id":"x1","n":[1,2]})"));
  CHECK(lines[1]["time"] == "2026-01-31T12:00:01Z");
  CHECK(lines[1]["line"] == 18);
  CHECK(lines[1]["record"] == "{\"id\": oops"); // raw text stays text
}

TEST_CASE("dead letters: raw text, numbers and invalid UTF-8 are stored as strings",
          "[dead_letter]") {
  auto record_of = [](const std::string& raw) {
    auto line = to_json_line({"f.csv", 3, 0, 0, "m", "", raw}, at_ms(0));
    return nlohmann::json::parse(line)["record"];
  };
  CHECK(record_of("a,b,\"c\"") == "a,b,\"c\"");
  CHECK(record_of("42") == "42");
  CHECK(record_of("") == "");
  CHECK(record_of("null") == "null");
  CHECK(record_of("[1, 2]") == nlohmann::json::parse("[1,2]"));
  CHECK(record_of("bad \xff byte") == "bad \xef\xbf\xbd byte");
  auto line = to_json_line({"f\xfe.jsonl", 1, 0, 0, "msg \xc3", "", "{}"}, at_ms(0));
  auto parsed = nlohmann::json::parse(line);
  CHECK(parsed["source_file"] == "f\xef\xbf\xbd.jsonl");
  CHECK(parsed["time"] == "1970-01-01T00:00:00Z");
  CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("dead letters: reopening appends and the writer moves", "[dead_letter]") {
  temp_dir dir;
  auto file = dir.path / "dl.jsonl";
  {
    auto w = dead_letter_writer::open(file);
    REQUIRE(w);
    REQUIRE_FALSE(w->append({"a", 1, 429, 3200, "throttled", "1", "{}"}));
  }
  {
    auto w = dead_letter_writer::open(file);
    REQUIRE(w);
    auto moved = std::move(*w);
    REQUIRE_FALSE(moved.append({"a", 2, 409, 0, "conflict", "2", "{}"}));
    CHECK(moved.written() == 1);
    CHECK(w->written() == 0);
    auto err = w->append({"a", 3, 0, 0, "", "", ""});
    REQUIRE(err);
    CHECK(render(err) == "io_error: dead-letter file  is not open");
  }
  auto lines = read_lines(file);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["line"] == 1);
  CHECK(lines[0]["substatus"] == 3200);
  CHECK(lines[1]["line"] == 2);
  CHECK(lines[1]["status"] == 409);
  // The clock stamps a current RFC 3339 time.
  CHECK(parse_rfc3339(lines[1]["time"].get<std::string>()));
}

TEST_CASE("dead letters: open errors name the path", "[dead_letter]") {
  temp_dir dir;
  auto as_dir = dir.path / "sub";
  fs::create_directory(as_dir);
  auto w = dead_letter_writer::open(as_dir);
  REQUIRE_FALSE(w);
  CHECK(render(w.error()) ==
        "io_error: cannot open dead-letter file " + as_dir.string() + ": Is a directory");
  std::ofstream{dir.path / "plain"} << "x";
  auto under_file = dead_letter_writer::open(dir.path / "plain" / "dl.jsonl");
  REQUIRE_FALSE(under_file);
  CHECK_THAT(render(under_file.error()),
             Catch::Contains((dir.path / "plain").string()) && Catch::Contains("Not a directory"));
}
