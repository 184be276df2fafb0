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

std::vector<std::string> documents(const read_result& r) {
  std::vector<std::string> out;
  for (const auto& rec : r.records)
    out.push_back(rec.document);
  return out;
}

} // namespace

TEST_CASE("csv: header names the columns, values are strings by default", "[bulk_inputs][csv]") {
  temp_dir dir;
  std::string content = "id,name,city\n1,Ann,Oslo\n2,\"Bob \"\"B\"\"\",\"Rome, IT\"\n";
  auto path = dir.write("a.csv", content);
  record_extraction ex;
  ex.partition_key_paths = {"/city"};
  auto r = read_file(path, csv(), ex);
  REQUIRE(r.error.empty());
  REQUIRE(r.rejected.empty());
  CHECK(documents(r) ==
        std::vector<std::string>{R"({"id":"1","name":"Ann","city":"Oslo"})",
                                 R"({"id":"2","name":"Bob \"B\"","city":"Rome, IT"})"});
  CHECK(r.records[1].key == cosmos::partition_key{std::string{"Rome, IT"}});
  CHECK(lines(r) == std::vector<uint64_t>{2, 3});
  CHECK(r.records[0].at == input_position{0, 2, 13, 24});
  CHECK(r.records[1].at.end == content.size());
}

TEST_CASE("csv: embedded newlines, CRLF, BOM and physical line numbers", "[bulk_inputs][csv]") {
  temp_dir dir;
  std::string content = "\xEF\xBB\xBFid,text\r\n"
                        "a,\"line one\r\nline two\"\r\n"
                        "\r\n"
                        "b,\"x\ny\nz\"\r\n"
                        "c,plain\r\n"
                        "d,\"\"";
  auto path = dir.write("nl.csv", content);
  auto whole = read_file(path, csv());
  REQUIRE(whole.rejected.empty());
  CHECK(documents(whole) == std::vector<std::string>{R"({"id":"a","text":"line one\r\nline two"})",
                                                     R"({"id":"b","text":"x\ny\nz"})",
                                                     R"({"id":"c","text":"plain"})",
                                                     R"({"id":"d","text":""})"});
  CHECK(lines(whole) == std::vector<uint64_t>{2, 5, 8, 9});
  for (size_t block = 1; block <= 6; ++block) {
    INFO("block " << block);
    auto r = read_file(path, csv(), {}, {}, tiny_blocks(block), 1);
    REQUIRE(r.records.size() == 4);
    for (size_t i = 0; i < 4; ++i) {
      CHECK(r.records[i].document == whole.records[i].document);
      CHECK(r.records[i].at == whole.records[i].at);
    }
  }
}

TEST_CASE("csv: typed columns", "[bulk_inputs][csv]") {
  temp_dir dir;
  auto path = dir.write("t.csv", "id;n;ok;tags;s\n"
                                 "a;12.5;TRUE;[\"x\", {\"y\": 1}];007\n"
                                 "b; -3 ;false;;\n"
                                 "c;1e3;True;\"{\"\"k\"\": null}\";x\n");
  auto source = csv({{"n", csv_column_type::number},
                     {"ok", csv_column_type::boolean},
                     {"tags", csv_column_type::json}},
                    ';');
  record_extraction ex;
  ex.partition_key_paths = {"/n"};
  auto r = read_file(path, source, ex);
  REQUIRE(r.rejected.empty());
  CHECK(documents(r) ==
        std::vector<std::string>{R"({"id":"a","n":12.5,"ok":true,"tags":["x",{"y":1}],"s":"007"})",
                                 R"({"id":"b","n":-3,"ok":false,"tags":null,"s":""})",
                                 R"({"id":"c","n":1e3,"ok":true,"tags":{"k":null},"s":"x"})"});
  CHECK(r.records[0].key == cosmos::partition_key{12.5});
  CHECK(r.records[2].key == cosmos::partition_key{1000.0});
}

TEST_CASE("csv: values that do not convert are rejected with the column", "[bulk_inputs][csv]") {
  temp_dir dir;
  auto path = dir.write("bad.csv", "id,n,ok,j\n"
                                   "a,abc,true,1\n"
                                   "b,1,yes,1\n"
                                   "c,1,true,{oops}\n"
                                   "d,0x10,true,1\n"
                                   "e,1,true,1\n");
  auto source = csv({{"n", csv_column_type::number},
                     {"ok", csv_column_type::boolean},
                     {"j", csv_column_type::json}});
  auto r = read_file(path, source);
  CHECK(ids(r) == std::vector<std::string>{"e"});
  CHECK(messages(r) ==
        std::vector<std::string>{
            "line 2: column \"n\": \"abc\" is not a number",
            "line 3: column \"ok\": \"yes\" is not a boolean (true or false)",
            "line 4: column \"j\": invalid JSON: unexpected 'o' at column 2 of the field",
            "line 5: column \"n\": \"0x10\" is not a number",
        });
  REQUIRE(r.rejected.size() == 4);
  CHECK(r.rejected[0].excerpt == "a,abc,true,1");
}

TEST_CASE("csv: malformed rows are rejected, the rest loads", "[bulk_inputs][csv]") {
  temp_dir dir;
  std::string content = "id,v\n"
                        "a,1,extra\n"      // 2
                        "b\n"              // 3
                        "c,\"x\"y\n"       // 4
                        "d,x\"y\n"         // 5
                        "e,\"\xC3\x28\"\n" // 6 invalid UTF-8
                        "f,ok\n"           // 7
                        "g,\"never closed\nh,1\n";
  auto r = read_file(dir.write("m.csv", content), csv());
  CHECK(ids(r) == std::vector<std::string>{"d", "f"});
  CHECK(r.records[0].document == R"({"id":"d","v":"x\"y"})");
  CHECK(messages(r) == std::vector<std::string>{
                           "line 2: 3 fields, but the header has 2 columns",
                           "line 3: 1 field, but the header has 2 columns",
                           "line 4: field 2: unexpected \"y\" after the closing quote",
                           "line 6: column \"v\": invalid UTF-8",
                           "line 8: a quoted field is not closed before the end of the file",
                       });
  REQUIRE(r.rejected.size() == 5);
  CHECK(r.rejected[3].excerpt == "e,\"\xEF\xBF\xBD(\"");
  CHECK(r.rejected[4].at.end == content.size());
}

TEST_CASE("csv: the id and partition key rules apply to rows", "[bulk_inputs][csv]") {
  temp_dir dir;
  auto path = dir.write("k.csv", "id,pk\n1,\n,p\n");
  record_extraction ex;
  ex.partition_key_paths = {"/pk", "/missing"};
  auto r = read_file(path, csv(), ex);
  CHECK(messages(r) == std::vector<std::string>{"line 2: no partition key value at /missing",
                                                "line 3: the id at /id is empty"});
  auto source = csv({{"id", csv_column_type::number}});
  auto r2 = read_file(path, source);
  CHECK(messages(r2) ==
        std::vector<std::string>{"line 2: the id at /id is a number; Cosmos DB ids must be strings",
                                 "line 3: the id at /id is null; Cosmos DB ids must be strings"});
  // An empty string column is "", an empty typed column null; an empty pk string is a value.
  ex.partition_key_paths = {"/pk"};
  auto r3 = read_file(path, csv(), ex);
  REQUIRE(r3.records.size() == 1);
  CHECK(r3.records[0].key == cosmos::partition_key{std::string{}});
}

TEST_CASE("csv: bad headers end the file with a message", "[bulk_inputs][csv]") {
  temp_dir dir;
  auto open_error = [&](const std::string& content, input_source source) {
    auto path = dir.write("h.csv", content);
    auto reader = record_reader::open(path, 0, source, {});
    REQUIRE(!reader);
    auto text = render(reader.error());
    auto prefix = "parse_error: " + path + ": ";
    REQUIRE(text.rfind(prefix, 0) == 0);
    return text.substr(prefix.size());
  };
  CHECK(open_error("id,a,id\n", csv()) == "the header (line 1): duplicate column \"id\"");
  CHECK(open_error("id,,b\n", csv()) == "the header (line 1): column 2 has no name");
  CHECK(open_error("id,\"a\"x\n", csv()) ==
        "the header (line 1): field 2: unexpected \"x\" after the closing quote");
  CHECK(open_error("id,a\n", csv({{"n", csv_column_type::number}})) ==
        "column \"n\" (typed in csv.columns) is not in the header (line 1)");
  CHECK(open_error("\n\nid,\xC3\x28\n", csv()) ==
        "the header (line 3): column 2 has a name that is not valid UTF-8");
}

TEST_CASE("csv: empty files and header-only files hold no records", "[bulk_inputs][csv]") {
  temp_dir dir;
  for (std::string content : {"", "\xEF\xBB\xBF", "id,v\n", "id,v", "id,v\r\n\r\n"}) {
    auto r = read_file(dir.write("e.csv", content), csv());
    CHECK(r.error.empty());
    CHECK(r.records.empty());
    CHECK(r.rejected.empty());
  }
}

TEST_CASE("csv: a row longer than the limit is rejected and skipped", "[bulk_inputs][csv]") {
  temp_dir dir;
  std::string big = "\"" + std::string(3000, 'q') + "\n" + std::string(3000, 'r') + "\"";
  std::string content = "id,v\na,1\nb," + big + "\nc,3\n";
  auto path = dir.write("big.csv", content);
  for (size_t block : {size_t{5}, size_t{100000}}) {
    INFO("block " << block);
    auto r = read_file(path, csv(), {}, {}, reader_options{block, 4096});
    CHECK(ids(r) == std::vector<std::string>{"a", "c"});
    CHECK(lines(r) == std::vector<uint64_t>{2, 5});
    CHECK(messages(r) ==
          std::vector<std::string>{
              "line 3: record of 6005 bytes is longer than the limit (4096 bytes); skipped"});
  }
}

TEST_CASE("csv: resume reads the header, then starts at the offset", "[bulk_inputs][csv]") {
  temp_dir dir;
  std::string content = "id,n\na,1\nb,\"2\n2\"\nc,3\nd,4\n";
  for (bool gz : {false, true}) {
    INFO("gzip " << gz);
    auto path = gz ? dir.write("r.csv.gz", gzip(content)) : dir.write("r.csv", content);
    auto source = csv({{"n", csv_column_type::json}});
    auto whole = read_file(path, source);
    REQUIRE(whole.rejected.size() == 1); // "2\n2" is not one JSON value
    REQUIRE(whole.records.size() == 3);
    CHECK(whole.rejected[0].message ==
          "line 3: column \"n\": invalid JSON: unexpected '2' after the value at column 3 of "
          "the field");
    auto r = read_file(path, source, {}, {whole.rejected[0].at.end, 0}, tiny_blocks(2));
    CHECK(ids(r) == std::vector<std::string>{"c", "d"});
    CHECK(lines(r) == std::vector<uint64_t>{5, 6});
    CHECK(r.records[0].document == R"({"id":"c","n":3})");
    auto r2 = read_file(path, source, {}, {whole.records[2].at.begin, 6});
    CHECK(ids(r2) == std::vector<std::string>{"d"});
    CHECK(lines(r2) == std::vector<uint64_t>{6});
  }
}
