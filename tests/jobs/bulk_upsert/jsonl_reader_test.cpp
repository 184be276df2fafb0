#include "reader_test_support.hpp"

using namespace bulkd;
using namespace bulkd::test;

namespace {

record_extraction by_pk(std::vector<std::string> paths = {"/pk"}) {
  record_extraction ex;
  ex.partition_key_paths = std::move(paths);
  return ex;
}

} // namespace

TEST_CASE("jsonl: records, compact documents, ids, keys and positions", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  std::string content = "{\"id\": \"a\", \"pk\": \"x\"}\n"
                        "\n"
                        "  {\"id\":\"b\",\"pk\":2.5 , \"n\": [1, 2]}\r\n"
                        "   \r\n"
                        "{\"pk\":true,\"id\":\"c\"}";
  auto path = dir.write("in.jsonl", content);
  auto r = read_file(path, jsonl(), by_pk());
  REQUIRE(r.error.empty());
  REQUIRE(r.rejected.empty());
  REQUIRE(r.records.size() == 3);
  CHECK(ids(r) == std::vector<std::string>{"a", "b", "c"});
  CHECK(lines(r) == std::vector<uint64_t>{1, 3, 5});
  CHECK(r.records[0].document == R"({"id":"a","pk":"x"})");
  CHECK(r.records[1].document == R"({"id":"b","pk":2.5,"n":[1,2]})");
  CHECK(r.records[0].key == cosmos::partition_key{std::string{"x"}});
  CHECK(r.records[1].key == cosmos::partition_key{2.5});
  CHECK(r.records[2].key == cosmos::partition_key{true});
  CHECK(r.records[0].at == input_position{0, 1, 0, 23});
  CHECK(r.records[1].at.begin == 24);
  CHECK(r.records[1].at.end == content.find("   \r\n"));
  CHECK(r.records[2].at.begin == content.rfind('{'));
  CHECK(r.records[2].at.end == content.size());
}

TEST_CASE("jsonl: a UTF-8 BOM at the start is ignored", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  auto path = dir.write("bom.jsonl", "\xEF\xBB\xBF{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
  auto r = read_file(path, jsonl());
  REQUIRE(r.rejected.empty());
  CHECK(ids(r) == std::vector<std::string>{"a", "b"});
  CHECK(r.records[0].at.begin == 3);
  CHECK(lines(r) == std::vector<uint64_t>{1, 2});
}

TEST_CASE("jsonl: a BOM after the start is invalid JSON", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  auto path = dir.write("bom2.jsonl", "{\"id\":\"a\"}\n\xEF\xBB\xBF{\"id\":\"b\"}\n");
  auto r = read_file(path, jsonl());
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0].message == "line 2: invalid JSON: unexpected byte 0xEF at column 1");
}

TEST_CASE("jsonl: empty files and blank files hold no records", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  for (std::string content : {"", "\n", "\n\r\n  \n", "\xEF\xBB\xBF"}) {
    auto r = read_file(dir.write("e.jsonl", content), jsonl());
    CHECK(r.error.empty());
    CHECK(r.records.empty());
    CHECK(r.rejected.empty());
  }
}

TEST_CASE("jsonl: bad lines are rejected with their line and what is wrong",
          "[bulk_inputs][jsonl]") {
  temp_dir dir;
  std::string content = "{\"id\":\"ok1\",\"pk\":1}\n"          // 1
                        "{\"id\":\"x\",\"pk\":1,}\n"           // 2 trailing comma
                        "[1,2]\n"                              // 3 not an object
                        "{\"id\":\"u\",\"pk\":\"\xC3\x28\"}\n" // 4 invalid UTF-8
                        "{\"pk\":1}\n"                         // 5 no id
                        "{\"id\":17,\"pk\":1}\n"               // 6 numeric id
                        "{\"id\":\"n\"}\n"                     // 7 no pk
                        "{\"id\":\"o\",\"pk\":{\"a\":1}}\n"    // 8 object pk
                        "{\"id\":\"t\",\"pk\":1} x\n"          // 9 trailing garbage
                        "{\"id\":\"s\",\"pk\":\"a\n"           // 10 unterminated string
                        "{\"id\":\"a/b\",\"pk\":1}\n"          // 11 bad id character
                        "{\"id\":\"\",\"pk\":1}\n"             // 12 empty id
                        "{\"id\":\"e\",\"pk\":\"\\q\"}\n"      // 13 bad escape
                        "{\"id\":\"c\",\"pk\":\"\x01\"}\n"     // 14 control character
                        "{\"id\":\"ok2\",\"pk\":null}\n";      // 15
  auto r = read_file(dir.write("bad.jsonl", content), jsonl(), by_pk());
  REQUIRE(r.error.empty());
  CHECK(ids(r) == std::vector<std::string>{"ok1", "ok2"});
  CHECK(r.records[1].key == cosmos::partition_key{nullptr});
  std::vector<std::string> messages;
  for (const auto& rej : r.rejected)
    messages.push_back(rej.message);
  std::vector<std::string> expected{
      "line 2: invalid JSON: unexpected '}' at column 18",
      "line 3: expected a JSON object, found an array",
      "line 4: invalid UTF-8 at column 17",
      "line 5: no id at /id (generate_id: true adds one)",
      "line 6: the id at /id is a number; Cosmos DB ids must be strings",
      "line 7: no partition key value at /pk",
      "line 8: the partition key value at /pk is an object; it must be a string, number, boolean "
      "or null",
      "line 9: invalid JSON: unexpected 'x' after the value at column 19",
      "line 10: invalid JSON: unexpected end of input in a string at column 18",
      "line 11: the id at /id contains '/', which Cosmos DB does not allow in ids",
      "line 12: the id at /id is empty",
      "line 13: invalid JSON: invalid escape '\\q' at column 17",
      "line 14: invalid JSON: unescaped control character byte 0x01 in a string at column 17",
  };
  CHECK(messages == expected);
  REQUIRE(r.rejected.size() == expected.size());
  CHECK(r.rejected[0].excerpt == "{\"id\":\"x\",\"pk\":1,}");
  CHECK(r.rejected[0].at.line == 2);
  CHECK(r.rejected[0].at.begin == content.find("{\"id\":\"x\""));
  // The excerpt of an invalid UTF-8 line is valid UTF-8.
  CHECK(r.rejected[2].excerpt == "{\"id\":\"u\",\"pk\":\"\xEF\xBF\xBD(\"}");
}

TEST_CASE("jsonl: records split at any block boundary read the same", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  std::string content = "\xEF\xBB\xBF{\"id\":\"a\",\"pk\":\"\xE2\x82\xAC\"}\r\n\n"
                        "{\"id\":\"b\",\"pk\":\"long value long value long value\"}\n"
                        "{\"id\":\"c\" \"pk\":1}\n"
                        "{\"id\":\"d\",\"pk\":4}";
  auto path = dir.write("split.jsonl", content);
  auto whole = read_file(path, jsonl(), by_pk());
  REQUIRE(whole.records.size() == 3);
  REQUIRE(whole.rejected.size() == 1);
  for (size_t block = 1; block <= 9; ++block) {
    for (size_t batch : {size_t{1}, size_t{2}, size_t{100}}) {
      auto r = read_file(path, jsonl(), by_pk(), {}, tiny_blocks(block), batch);
      INFO("block " << block << " batch " << batch);
      REQUIRE(r.records.size() == 3);
      for (size_t i = 0; i < 3; ++i) {
        CHECK(r.records[i].document == whole.records[i].document);
        CHECK(r.records[i].at == whole.records[i].at);
      }
      REQUIRE(r.rejected.size() == 1);
      CHECK(r.rejected[0].message == whole.rejected[0].message);
      CHECK(r.rejected[0].at == whole.rejected[0].at);
    }
  }
  CHECK(whole.rejected[0].message == "line 4: invalid JSON: unexpected '\"' at column 11");
}

TEST_CASE("jsonl: a line longer than the limit is rejected and skipped", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  std::string big = "{\"id\":\"big\",\"v\":\"" + std::string(10000, 'x') + "\"}";
  std::string content = "{\"id\":\"a\"}\n" + big + "\n{\"id\":\"b\"}\n" + big;
  auto path = dir.write("huge.jsonl", content);
  for (size_t block : {size_t{7}, size_t{1000}, size_t{1 << 20}}) {
    INFO("block " << block);
    auto r = read_file(path, jsonl(), {}, {}, reader_options{block, 4096});
    REQUIRE(r.error.empty());
    CHECK(ids(r) == std::vector<std::string>{"a", "b"});
    CHECK(lines(r) == std::vector<uint64_t>{1, 3});
    REQUIRE(r.rejected.size() == 2);
    CHECK(r.rejected[0].message ==
          "line 2: record of 10019 bytes is longer than the limit (4096 bytes); skipped");
    CHECK(r.rejected[0].excerpt == big.substr(0, 1024));
    CHECK(r.rejected[0].at.begin == 11);
    CHECK(r.rejected[0].at.end == 11 + big.size() + 1);
    CHECK(r.rejected[1].message ==
          "line 4: record of 10019 bytes is longer than the limit (4096 bytes); skipped");
    CHECK(r.rejected[1].at.end == content.size());
  }
}

TEST_CASE("jsonl: a line of several MB within the limit loads", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  std::string big = "{\"id\":\"big\",\"v\":\"" + std::string(3 << 20, 'y') + "\"}";
  auto path = dir.write("big.jsonl", "{\"id\":\"a\"}\n" + big + "\n{\"id\":\"b\"}\n");
  auto r = read_file(path, jsonl());
  REQUIRE(r.rejected.empty());
  CHECK(ids(r) == std::vector<std::string>{"a", "big", "b"});
  CHECK(r.records[1].document == big);
}

TEST_CASE("jsonl: resume at a record boundary", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  std::string content = "{\"id\":\"a\"}\n\n{\"id\":\"b\"}\r\n{\"id\":\"c\"}\n\n{\"id\":\"d\"}\n";
  for (bool gz : {false, true}) {
    INFO("gzip " << gz);
    auto path = gz ? dir.write("r.jsonl.gz", gzip(content)) : dir.write("r.jsonl", content);
    auto whole = read_file(path, jsonl());
    REQUIRE(whole.records.size() == 4);
    for (size_t k = 0; k < 4; ++k) {
      auto from = resume_point{whole.records[k].at.begin, whole.records[k].at.line};
      for (auto point : {from, resume_point{from.offset, 0}}) {
        auto r = read_file(path, jsonl(), {}, point, tiny_blocks(4));
        REQUIRE(r.records.size() == 4 - k);
        for (size_t i = k; i < 4; ++i)
          CHECK(r.records[i - k].at == whole.records[i].at);
      }
    }
    // From the end of a record (what a checkpoint stores): the same.
    auto r = read_file(path, jsonl(), {}, {whole.records[1].at.end, 0});
    CHECK(ids(r) == std::vector<std::string>{"c", "d"});
    CHECK(lines(r) == std::vector<uint64_t>{4, 6});
    // At the end of the file: nothing left.
    auto end = read_file(path, jsonl(), {}, {content.size(), 7});
    CHECK(end.records.empty());
    CHECK(end.error.empty());
  }
}

TEST_CASE("jsonl: generate_id inserts a UUID v4 when the id is missing", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  auto path = dir.write("gen.jsonl", "{\"pk\":\"p\"}\n{}\n{\"id\":\"keep\",\"pk\":\"q\"}\n"
                                     "{\"id\":5}\n");
  record_extraction ex;
  ex.generate_id = true;
  auto r = read_file(path, jsonl(), ex);
  REQUIRE(r.records.size() == 3);
  auto is_uuid_v4 = [](const std::string& s) {
    if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
      return false;
    return s[14] == '4' && std::string{"89ab"}.find(s[19]) != std::string::npos;
  };
  CHECK(is_uuid_v4(r.records[0].id));
  CHECK(is_uuid_v4(r.records[1].id));
  CHECK(r.records[0].id != r.records[1].id);
  CHECK(r.records[0].document == "{\"id\":\"" + r.records[0].id + "\",\"pk\":\"p\"}");
  CHECK(r.records[1].document == "{\"id\":\"" + r.records[1].id + "\"}");
  CHECK(r.records[2].id == "keep");
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0].message ==
        "line 4: the id at /id is a number; Cosmos DB ids must be strings");
}

TEST_CASE("jsonl: nested and escaped pointers, hierarchical keys", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  auto path = dir.write(
      "nested.jsonl",
      "{\"meta\":{\"key\":\"k1\",\"a/b\":7},\"tenant\":\"t\",\"arr\":[\"z\",false],\"id\":\"x\"}\n"
      "{\"m\\u0065ta\":{\"key\":\"k\\u00e9\"},\"tenant\":\"t\",\"arr\":[1,true],\"id\":\"y\"}\n");
  record_extraction ex;
  ex.partition_key_paths = {"/tenant", "/meta/key", "/arr/1"};
  auto r = read_file(path, jsonl(), ex);
  REQUIRE(r.rejected.empty());
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0].key == cosmos::partition_key{std::string{"t"}, std::string{"k1"}, false});
  CHECK(r.records[1].key ==
        cosmos::partition_key{std::string{"t"}, std::string{"k\xC3\xA9"}, true});
  ex.partition_key_paths = {"/meta/a~1b"};
  auto r2 = read_file(path, jsonl(), ex);
  REQUIRE(r2.records.size() == 1);
  CHECK(r2.records[0].key == cosmos::partition_key{7.0});
  REQUIRE(r2.rejected.size() == 1);
  CHECK(r2.rejected[0].message == "line 2: no partition key value at /meta/a~1b");
}

TEST_CASE("jsonl: generate_id with a nested id path", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  auto path = dir.write("gen2.jsonl", "{\"a\":{\"b\":1}}\n{\"a\":\"s\"}\n");
  record_extraction ex;
  ex.id_path = "/a/id";
  ex.generate_id = true;
  ex.partition_key_paths = {"/a/id"};
  auto r = read_file(path, jsonl(), ex);
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].document == "{\"a\":{\"b\":1,\"id\":\"" + r.records[0].id + "\"}}");
  CHECK(r.records[0].key == cosmos::partition_key{r.records[0].id});
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0].message.rfind("line 2: cannot insert a generated id at /a/id: ", 0) == 0);
}

TEST_CASE("jsonl: bad pointers are refused when opening", "[bulk_inputs][jsonl]") {
  temp_dir dir;
  auto path = dir.write("x.jsonl", "{}\n");
  record_extraction ex;
  ex.id_path = "id";
  auto r = record_reader::open(path, 0, jsonl(), ex);
  REQUIRE(!r);
  CHECK(render(r.error()) ==
        "invalid_argument: invalid JSON pointer \"id\": it must start with '/'");
  ex.id_path = "/id";
  ex.partition_key_paths = {"/a~2"};
  r = record_reader::open(path, 0, jsonl(), ex);
  REQUIRE(!r);
  CHECK(render(r.error()) ==
        "invalid_argument: invalid JSON pointer \"/a~2\": '~' must be followed by 0 or 1");
}
