#include "reader_test_support.hpp"

#include <sys/stat.h>

using namespace bulkd;
using namespace bulkd::test;

TEST_CASE("input files: a glob expands to sorted regular files", "[bulk_inputs][input_files]") {
  temp_dir dir;
  dir.write("data/b.jsonl", "");
  dir.write("data/a.jsonl", "");
  dir.write("data/c.csv", "");
  dir.write("data/.hidden.jsonl", "");
  dir.write("data/sub/d.jsonl", "");
  dir.write("data/x1/e.jsonl", "");
  dir.write("data/x2/e.jsonl", "");
  std::filesystem::create_directories(dir.path() / "data/dir.jsonl");
  auto base = dir.path().string();
  input_source source;
  source.path = base + "/data/*.jsonl";
  auto files = list_input_files(source);
  REQUIRE(files);
  CHECK(*files == std::vector<std::string>{base + "/data/a.jsonl", base + "/data/b.jsonl"});
  source.path = base + "/data/x?/e.jsonl";
  files = list_input_files(source);
  REQUIRE(files);
  CHECK(*files == std::vector<std::string>{base + "/data/x1/e.jsonl", base + "/data/x2/e.jsonl"});
  source.path = base + "/data/[bc]*";
  files = list_input_files(source);
  REQUIRE(files);
  CHECK(*files == std::vector<std::string>{base + "/data/b.jsonl", base + "/data/c.csv"});
  source.path = base + "/data/.h*";
  files = list_input_files(source);
  REQUIRE(files);
  CHECK(*files == std::vector<std::string>{base + "/data/.hidden.jsonl"});
  source.path = base + "/data/c.csv"; // no wildcard: the file itself
  files = list_input_files(source);
  REQUIRE(files);
  CHECK(*files == std::vector<std::string>{base + "/data/c.csv"});
}

TEST_CASE("input files: no match is an error naming the pattern", "[bulk_inputs][input_files]") {
  temp_dir dir;
  dir.write("data/a.jsonl", "");
  auto base = dir.path().string();
  input_source source;
  for (auto pattern : {"/data/*.csv", "/nothing/*.jsonl", "/data/a.jsonl/x", "/data/missing.jsonl",
                       "/data/", "/data/*/", "/data"}) {
    source.path = base + pattern;
    auto files = list_input_files(source);
    REQUIRE(!files);
    CHECK(render(files.error()) ==
          "invalid_argument: no input file matches \"" + source.path + "\"");
  }
  source.path = base + "/data/[a";
  auto bad = list_input_files(source);
  REQUIRE(!bad);
  CHECK(render(bad.error()) == "invalid_argument: glob \"" + source.path +
                                   "\": unclosed '[' at offset " + std::to_string(base.size() + 6));
}

TEST_CASE("input files: opening a missing file or a directory fails with the path",
          "[bulk_inputs][input_files]") {
  temp_dir dir;
  auto missing = (dir.path() / "missing.jsonl").string();
  auto r = record_reader::open(missing, 0, jsonl(), {});
  REQUIRE(!r);
  CHECK(render(r.error()) == "io_error: cannot open " + missing + ": No such file or directory");
  auto r2 = record_reader::open(dir.path().string(), 0, jsonl(), {});
  REQUIRE(!r2);
  CHECK(render(r2.error()) ==
        "io_error: cannot read " + dir.path().string() + ": it is a directory");
}

TEST_CASE("input files: gzip is detected by name or forced", "[bulk_inputs][input_files]") {
  temp_dir dir;
  std::string content = "{\"id\":\"a\"}\n{\"id\":\"b\"}\n";
  auto gz = gzip(content);
  auto by_name = dir.write("in.jsonl.gz", gz);
  auto r = read_file(by_name, jsonl(), {}, {}, tiny_blocks(5));
  REQUIRE(r.error.empty());
  CHECK(ids(r) == std::vector<std::string>{"a", "b"});
  CHECK(r.records[1].at == input_position{0, 2, 11, 22}); // offsets in the decompressed content
  auto forced_path = dir.write("in.data", gz);
  auto source = jsonl();
  source.compression = input_compression::gzip;
  CHECK(ids(read_file(forced_path, source)) == std::vector<std::string>{"a", "b"});
  // compression: none reads a .gz name as plain text
  auto plain = dir.write("plain.gz", content);
  source.compression = input_compression::none;
  CHECK(ids(read_file(plain, source)) == std::vector<std::string>{"a", "b"});
  // Several gzip members one after the other are one content.
  auto multi = dir.write("multi.jsonl.gz", gzip("{\"id\":\"a\"}\n") + gzip("{\"id\":\"b\"}\n"));
  auto m = read_file(multi, jsonl(), {}, {}, tiny_blocks(4));
  CHECK(ids(m) == std::vector<std::string>{"a", "b"});
  CHECK(m.records[1].at.begin == 11);
}

TEST_CASE("input files: bytes consumed count the file on disk", "[bulk_inputs][input_files]") {
  temp_dir dir;
  std::string content;
  for (int i = 0; i < 2000; ++i)
    content += "{\"id\":\"" + std::to_string(i) + "\",\"v\":\"some text to compress\"}\n";
  for (bool gz : {false, true}) {
    INFO("gzip " << gz);
    auto disk = gz ? gzip(content) : content;
    auto path = dir.write(gz ? "c.jsonl.gz" : "c.jsonl", disk);
    auto reader = open_reader(path, jsonl(), {}, {}, reader_options{4096, 1 << 20});
    CHECK(reader->total_bytes() == disk.size());
    CHECK(reader->bytes_consumed() == 0);
    std::vector<input_record> out;
    std::vector<rejected_record> rejected;
    auto more = reader->read(10, out, rejected);
    REQUIRE(more);
    CHECK(*more);
    CHECK(reader->bytes_consumed() > 0);
    CHECK(reader->bytes_consumed() < disk.size());
    auto rest = read_all(*reader);
    CHECK(rest.records.size() == 1990);
    CHECK(reader->bytes_consumed() == disk.size());
  }
}

TEST_CASE("input files: truncated and corrupt gzip end the file with a message",
          "[bulk_inputs][input_files]") {
  temp_dir dir;
  std::string content;
  for (int i = 0; i < 500; ++i)
    content += "{\"id\":\"" + std::to_string(i) + "\"}\n";
  auto gz = gzip(content);
  auto truncated = dir.write("t.jsonl.gz", gz.substr(0, gz.size() - 30));
  auto r = read_file(truncated, jsonl(), {}, {}, tiny_blocks(64));
  CHECK(r.error == "parse_error: truncated gzip data in " + truncated + ": the file ends after " +
                       std::to_string(gz.size() - 30) + " bytes, inside a compressed stream");
  CHECK(!r.records.empty());
  CHECK(r.records.size() < 500);
  // Without the 8-byte trailer (CRC and size) the data is all there, but unverified.
  auto no_trailer = dir.write("n.jsonl.gz", gz.substr(0, gz.size() - 4));
  CHECK(read_file(no_trailer, jsonl()).error.rfind("parse_error: truncated gzip data in ", 0) == 0);
  auto corrupt_body = gz;
  corrupt_body[gz.size() / 2] = static_cast<char>(corrupt_body[gz.size() / 2] ^ 0x55);
  auto corrupt = dir.write("c.jsonl.gz", corrupt_body);
  auto rc = read_file(corrupt, jsonl());
  CHECK_THAT(rc.error, Catch::StartsWith("parse_error: corrupt gzip data in " + corrupt +
                                         " near compressed offset "));
  auto not_gzip = dir.write("p.jsonl.gz", content);
  CHECK(read_file(not_gzip, jsonl()).error ==
        "parse_error: corrupt gzip data in " + not_gzip +
            " near compressed offset 2: incorrect header check");
  // An empty .gz file holds nothing; an empty gzip stream neither.
  CHECK(read_file(dir.write("e.jsonl.gz", ""), jsonl()).error.empty());
  auto empty_stream = read_file(dir.write("e2.jsonl.gz", gzip("")), jsonl());
  CHECK(empty_stream.error.empty());
  CHECK(empty_stream.records.empty());
}

TEST_CASE("input files: resume in a gzip file decompresses and skips",
          "[bulk_inputs][input_files]") {
  temp_dir dir;
  std::string content;
  for (int i = 0; i < 300; ++i)
    content += "{\"id\":\"" + std::to_string(i) + "\"}\n" + (i % 7 == 0 ? "\n" : "");
  auto path = dir.write("r.jsonl.gz", gzip(content));
  auto whole = read_file(path, jsonl());
  REQUIRE(whole.records.size() == 300);
  for (size_t k : {size_t{1}, size_t{150}, size_t{299}}) {
    INFO("record " << k);
    auto r = read_file(path, jsonl(), {}, {whole.records[k].at.begin, 0}, tiny_blocks(50));
    REQUIRE(r.records.size() == 300 - k);
    CHECK(r.records.front().at == whole.records[k].at);
    CHECK(r.records.back().at == whole.records.back().at);
  }
  // Past the end: nothing, no error.
  auto past = read_file(path, jsonl(), {}, {content.size() + 100, 0});
  CHECK(past.error.empty());
  CHECK(past.records.empty());
}

TEST_CASE("input files: an unreadable file is an I/O error", "[bulk_inputs][input_files]") {
  if (::geteuid() == 0)
    SUCCEED("root reads every file");
  else {
    temp_dir dir;
    auto path = dir.write("secret.jsonl", "{}\n");
    ::chmod(path.c_str(), 0);
    auto r = record_reader::open(path, 0, jsonl(), {});
    REQUIRE(!r);
    CHECK(render(r.error()) == "io_error: cannot open " + path + ": Permission denied");
  }
}

TEST_CASE("input files: a relative pattern is taken from the working directory",
          "[bulk_inputs][input_files]") {
  temp_dir dir;
  dir.write("in/2.jsonl", "");
  dir.write("in/1.jsonl", "");
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  input_source source;
  source.path = "in/*.jsonl";
  auto files = list_input_files(source);
  source.path = "*/1.jsonl";
  auto files2 = list_input_files(source);
  std::filesystem::current_path(old);
  REQUIRE(files);
  CHECK(*files == std::vector<std::string>{"in/1.jsonl", "in/2.jsonl"});
  REQUIRE(files2);
  CHECK(*files2 == std::vector<std::string>{"in/1.jsonl"});
}
