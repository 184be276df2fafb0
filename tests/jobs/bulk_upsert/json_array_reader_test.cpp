#include "reader_test_support.hpp"

using namespace bulkd;
using namespace bulkd::test;

namespace {

std::vector<std::string> messages(const read_result& r) {
  std::vector<std::string> out;
  for (const auto& rej : r.rejected)
    out.push_back(rej.message);
  return out;
}

// The part of a rendered error after "parse_error: PATH: ".
std::string what(const read_result& r, const std::string& path) {
  auto prefix = "parse_error: " + path + ": ";
  if (r.error.rfind(prefix, 0) != 0)
    return "unexpected error: " + r.error;
  return r.error.substr(prefix.size());
}

} // namespace

TEST_CASE("json-array: elements are streamed with their lines and offsets",
          "[bulk_inputs][json_array]") {
  temp_dir dir;
  std::string content = "\xEF\xBB\xBF[\n"
                        "  {\"id\": \"a\", \"s\": \"] } [ {\\\"\"},\n"
                        "  {\n"
                        "    \"id\": \"b\",\n"
                        "    \"n\": [1, {\"x\": []}]\n"
                        "  } ,{\"id\":\"c\"}\n"
                        "]\n";
  auto path = dir.write("a.json", content);
  auto whole = read_file(path, json_array());
  REQUIRE(whole.error.empty());
  REQUIRE(whole.rejected.empty());
  CHECK(ids(whole) == std::vector<std::string>{"a", "b", "c"});
  CHECK(lines(whole) == std::vector<uint64_t>{2, 3, 6});
  CHECK(whole.records[0].document == R"({"id":"a","s":"] } [ {\""})");
  CHECK(whole.records[1].document == R"({"id":"b","n":[1,{"x":[]}]})");
  CHECK(whole.records[0].at.begin == content.find("{\"id\": \"a\""));
  CHECK(whole.records[0].at.end == content.find("\n  {\n")); // after the ','
  CHECK(whole.records[1].at.end == content.find("{\"id\":\"c\""));
  CHECK(whole.records[2].at.end == content.rfind(']'));
  for (size_t block = 1; block <= 7; ++block) {
    INFO("block " << block);
    auto r = read_file(path, json_array(), {}, {}, tiny_blocks(block), 1);
    REQUIRE(r.error.empty());
    REQUIRE(r.records.size() == 3);
    for (size_t i = 0; i < 3; ++i) {
      CHECK(r.records[i].document == whole.records[i].document);
      CHECK(r.records[i].at == whole.records[i].at);
    }
  }
}

TEST_CASE("json-array: empty arrays and empty files hold no records", "[bulk_inputs][json_array]") {
  temp_dir dir;
  for (std::string content : {"", "  \n", "[]", " [ \n ] \n"}) {
    auto r = read_file(dir.write("e.json", content), json_array());
    CHECK(r.error.empty());
    CHECK(r.records.empty());
    CHECK(r.rejected.empty());
  }
}

TEST_CASE("json-array: broken elements are rejected, the rest loads", "[bulk_inputs][json_array]") {
  temp_dir dir;
  std::string content = "[{\"id\":\"a\"},\n"
                        " {\"id\": tru},\n"
                        " 42,\n"
                        " \"text\",\n"
                        " {\"id\":\"u\",\n  \"v\":\"\xFF\"},\n"
                        " {\"id\":\"b\"}]";
  auto r = read_file(dir.write("b.json", content), json_array());
  REQUIRE(r.error.empty());
  CHECK(ids(r) == std::vector<std::string>{"a", "b"});
  CHECK(lines(r) == std::vector<uint64_t>{1, 7});
  CHECK(messages(r) == std::vector<std::string>{"line 2: invalid JSON: unexpected '}' at column 12",
                                                "line 3: expected a JSON object, found a number",
                                                "line 4: expected a JSON object, found a string",
                                                "line 5: invalid UTF-8 at line 6, column 8"});
}

TEST_CASE("json-array: a broken array ends the file with where it broke",
          "[bulk_inputs][json_array]") {
  temp_dir dir;
  struct bad_case {
    std::string content;
    std::string message;
    size_t records;
  };
  std::vector<bad_case> cases{
      {"{\"id\":\"a\"}", "not a JSON array: expected '[' at line 1, column 1 (offset 0), found '{'",
       0},
      {"\n  x", "not a JSON array: expected '[' at line 2, column 3 (offset 3), found 'x'", 0},
      {"[{\"id\":\"a\"} {\"id\":\"b\"}]",
       "expected ',' or ']' after the element that starts at line 1, found '{' at line 1, column "
       "13 (offset 12)",
       1},
      {"[{\"id\":\"a\"},\n{\"id\":\"b\"",
       "the file ends inside the element that starts at line 2 (offset 13)", 1},
      {"[{\"id\":\"a\"},\n",
       "the file ends inside the array (a ']' is missing) at line 2, column 1 "
       "(offset 13)",
       1},
      {"[{\"id\":\"a\"},]", "a ',' before ']' at line 1, column 13 (offset 12) (trailing comma)",
       1},
      {"[{\"id\":\"a\"},,{}]", "expected an element at line 1, column 13 (offset 12), found ','",
       1},
      {"[{\"id\":\"a\"}]\n]",
       "unexpected ']' after the end of the array at line 2, column 1 "
       "(offset 13)",
       1},
  };
  for (const auto& c : cases) {
    INFO(c.content);
    auto path = dir.write("broken.json", c.content);
    for (size_t block : {size_t{2}, size_t{1 << 20}}) {
      auto r = read_file(path, json_array(), {}, {}, tiny_blocks(block));
      CHECK(what(r, path) == c.message);
      CHECK(r.records.size() == c.records);
    }
  }
}

TEST_CASE("json-array: an element longer than the limit is rejected and skipped",
          "[bulk_inputs][json_array]") {
  temp_dir dir;
  std::string big = "{\"id\":\"big\",\"v\":[\"" + std::string(5000, 'z') + "\", {}]}";
  auto path = dir.write("big.json", "[{\"id\":\"a\"},\n" + big + ",\n{\"id\":\"b\"}]");
  for (size_t block : {size_t{3}, size_t{100000}}) {
    INFO("block " << block);
    auto r = read_file(path, json_array(), {}, {}, reader_options{block, 4096});
    REQUIRE(r.error.empty());
    CHECK(ids(r) == std::vector<std::string>{"a", "b"});
    CHECK(lines(r) == std::vector<uint64_t>{1, 3});
    CHECK(messages(r) ==
          std::vector<std::string>{"line 2: record of " + std::to_string(big.size()) +
                                   " bytes is longer than the limit (4096 bytes); skipped"});
  }
}

TEST_CASE("json-array: resume at an element boundary", "[bulk_inputs][json_array]") {
  temp_dir dir;
  std::string content = "[\n{\"id\":\"a\"},\n{\"id\":\"b\"},\n  {\"id\":\"c\"}\n]\n";
  for (bool gz : {false, true}) {
    INFO("gzip " << gz);
    auto path = gz ? dir.write("r.json.gz", gzip(content)) : dir.write("r.json", content);
    auto whole = read_file(path, json_array());
    REQUIRE(whole.records.size() == 3);
    auto r = read_file(path, json_array(), {}, {whole.records[0].at.end, 0}, tiny_blocks(3));
    REQUIRE(r.error.empty());
    CHECK(ids(r) == std::vector<std::string>{"b", "c"});
    CHECK(r.records[0].at == whole.records[1].at);
    CHECK(r.records[1].at == whole.records[2].at);
    auto r2 = read_file(path, json_array(), {}, {whole.records[1].at.end, 3});
    CHECK(ids(r2) == std::vector<std::string>{"c"});
    CHECK(lines(r2) == std::vector<uint64_t>{4});
    // From the end of the last element: the array closes, nothing is left.
    auto r3 = read_file(path, json_array(), {}, {whole.records[2].at.end, 4});
    CHECK(r3.error.empty());
    CHECK(r3.records.empty());
  }
}

TEST_CASE("json-array: after an error, reading again gives the same error",
          "[bulk_inputs][json_array]") {
  temp_dir dir;
  auto path = dir.write("x.json", "[{\"id\":\"a\"} x {\"id\":\"b\"}]");
  auto reader = open_reader(path, json_array());
  std::vector<input_record> out;
  std::vector<rejected_record> rejected;
  auto first = reader->read(10, out, rejected);
  REQUIRE(!first);
  auto second = reader->read(10, out, rejected);
  REQUIRE(!second);
  CHECK(render(second.error()) == render(first.error()));
  CHECK(out.size() == 1);
}

TEST_CASE("json-array: resuming at any settled point gives the same lines, offsets and messages "
          "as reading the whole file",
          "[bulk_inputs][json_array]") {
  temp_dir dir;
  // Pretty-printed and packed elements, broken ones on their own lines and in the middle of one.
  std::string content = "\xEF\xBB\xBF[\n"
                        "  {\"id\":\"a\",\n   \"n\":1},\n"
                        "  {\"id\": tru},\n"
                        "  {\"id\":\"b\"}, {\"id\":\"c\"}, {\"id\": fals}, 7,\n"
                        "\n"
                        "  {\"id\":\"d\",\n   \"v\":\"\xFF\"},\n"
                        "  {\"id\":\"e\"}\n"
                        "]\n";
  for (bool gz : {false, true}) {
    INFO("gzip " << gz);
    auto path = gz ? dir.write("all.json.gz", gzip(content)) : dir.write("all.json", content);
    auto whole = read_file(path, json_array());
    REQUIRE(whole.error.empty());
    REQUIRE(whole.records.size() == 4);
    REQUIRE(whole.rejected.size() == 4);
    // Every record and rejection in file order, as "line offset: message-or-id".
    auto describe = [](const read_result& r) {
      std::vector<std::pair<uint64_t, std::string>> all;
      for (auto& rec : r.records)
        all.emplace_back(rec.at.begin, std::to_string(rec.at.line) + " " +
                                           std::to_string(rec.at.begin) + "-" +
                                           std::to_string(rec.at.end) + ": " + rec.id);
      for (auto& rej : r.rejected)
        all.emplace_back(rej.at.begin, std::to_string(rej.at.line) + " " +
                                           std::to_string(rej.at.begin) + "-" +
                                           std::to_string(rej.at.end) + ": " + rej.message);
      std::sort(all.begin(), all.end());
      std::vector<std::string> out;
      for (auto& [begin, text] : all)
        out.push_back(text);
      return out;
    };
    auto expected = describe(whole);
    std::vector<input_position> ends;
    for (auto& rec : whole.records)
      ends.push_back(rec.at);
    for (auto& rej : whole.rejected)
      ends.push_back(rej.at);
    std::sort(ends.begin(), ends.end(),
              [](const input_position& a, const input_position& b) { return a.begin < b.begin; });
    for (size_t k = 0; k < ends.size(); ++k) {
      // What a settled_watermark gives: after a full drain the end and line 0 (count it); with a
      // record outstanding its begin and line.
      for (auto from : {resume_point{ends[k].end, 0}, resume_point{ends[k].begin, ends[k].line}}) {
        INFO("resume after " << k << " at offset " << from.offset << ", line " << from.line);
        auto skip = from.line == 0 ? k + 1 : k;
        auto r = read_file(path, json_array(), {}, from, tiny_blocks(4));
        CHECK(r.error.empty());
        CHECK(describe(r) ==
              std::vector<std::string>(expected.begin() + static_cast<std::ptrdiff_t>(skip),
                                       expected.end()));
      }
    }
  }
}
