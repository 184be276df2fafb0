#include "clients/error.hpp"
#include "jobs/bulk_upsert/bulk_checkpoint.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace bulkd;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-checkpoint-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& p, const std::string& text) {
  std::ofstream out{p, std::ios::binary | std::ios::trunc};
  out << text;
}

void set_mtime(const fs::path& p, int64_t sec, long nsec) {
  timespec times[2] = {{sec, nsec}, {sec, nsec}};
  REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0);
}

bulk_checkpoint sample() {
  bulk_checkpoint cp;
  cp.files.push_back({"/data/a.jsonl", {1234, 1'700'000'000'123'456'789}, {1000, 42}, true});
  cp.files.push_back({"/data/b.jsonl.gz", {99, -5}, {0, 0}, false});
  cp.files.push_back({"/data/\xc3\xa9t\xc3\xa9.csv", {1ull << 40, 0}, {1ull << 41, 0}, false});
  return cp;
}

std::string load_error(const fs::path& file, const std::string& text) {
  write(file, text);
  auto cp = load_bulk_checkpoint(file);
  REQUIRE_FALSE(cp);
  return render(cp.error());
}

} // namespace

TEST_CASE("checkpoint: path under the state directory", "[checkpoint]") {
  CHECK(bulk_checkpoint_path("/var/lib/bulkd", "nightly") ==
        "/var/lib/bulkd/checkpoints/nightly.json");
}

TEST_CASE("checkpoint: a missing file is an empty checkpoint", "[checkpoint]") {
  temp_dir dir;
  auto cp = load_bulk_checkpoint(dir.path / "checkpoints" / "none.json");
  REQUIRE(cp);
  CHECK(cp->files.empty());
}

TEST_CASE("checkpoint: save and load round trip, file 0600", "[checkpoint]") {
  temp_dir dir;
  auto file = bulk_checkpoint_path(dir.path, "job");
  auto saved = sample();
  REQUIRE_FALSE(save_bulk_checkpoint(file, saved));
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = load_bulk_checkpoint(file);
  REQUIRE(loaded);
  REQUIRE(loaded->files.size() == saved.files.size());
  for (size_t i = 0; i < saved.files.size(); ++i) {
    CHECK(loaded->files[i].path == saved.files[i].path);
    CHECK(loaded->files[i].fingerprint == saved.files[i].fingerprint);
    CHECK(loaded->files[i].settled == saved.files[i].settled);
    CHECK(loaded->files[i].finished == saved.files[i].finished);
  }
  // Saving again replaces the content.
  bulk_checkpoint empty;
  REQUIRE_FALSE(save_bulk_checkpoint(file, empty));
  auto again = load_bulk_checkpoint(file);
  REQUIRE(again);
  CHECK(again->files.empty());
}

TEST_CASE("checkpoint: a corrupt file is an error naming it, never an empty checkpoint",
          "[checkpoint]") {
  temp_dir dir;
  auto file = dir.path / "job.json";
  auto f = file.string();
  auto ok_entry = R"({"path":"/a","size":1,"mtime_ns":2,"offset":3,"line":4,"finished":false})";
  CHECK(load_error(file, "") == "parse_error: checkpoint " + f +
                                    " is corrupt: the file is empty (remove " + f +
                                    " to load every input file from the beginning again)");
  CHECK_THAT(load_error(file, R"({"version":1,"files":[)"),
             Catch::StartsWith("parse_error: checkpoint " + f + " is corrupt: invalid JSON: ") &&
                 Catch::Contains("(remove " + f));
  CHECK_THAT(load_error(file, "[1]"), Catch::Contains(f + " is corrupt: not a JSON object"));
  CHECK_THAT(load_error(file, R"({"files":[]})"), Catch::Contains(f + " is corrupt: no version"));
  CHECK_THAT(load_error(file, R"({"version":3,"files":[]})"),
             Catch::StartsWith("parse_error: checkpoint " + f +
                               " has version 3, this bulkd reads versions 1 and 2"));
  CHECK_THAT(load_error(file, R"({"version":1})"),
             Catch::Contains("is corrupt: files must be an array"));
  CHECK_THAT(load_error(file, R"({"version":1,"files":[7]})"),
             Catch::Contains("is corrupt: files[0] must be an object"));
  CHECK_THAT(load_error(file, R"({"version":1,"files":[{"size":1}]})"),
             Catch::Contains("is corrupt: files[0].path must be a non-empty string"));
  CHECK_THAT(
      load_error(
          file,
          std::string{R"({"version":1,"files":[)"} + ok_entry +
              R"(,{"path":"/b","size":-1,"mtime_ns":2,"offset":3,"line":4,"finished":false}]})"),
      Catch::Contains("is corrupt: files[1].size must be an unsigned integer"));
  CHECK_THAT(
      load_error(
          file,
          R"({"version":1,"files":[{"path":"/b","size":1,"mtime_ns":"x","offset":3,"line":4,"finished":false}]})"),
      Catch::Contains("is corrupt: files[0].mtime_ns must be an integer"));
  CHECK_THAT(
      load_error(
          file,
          R"({"version":1,"files":[{"path":"/b","size":1,"mtime_ns":2,"offset":3.5,"line":4,"finished":false}]})"),
      Catch::Contains("is corrupt: files[0].offset must be an unsigned integer"));
  CHECK_THAT(
      load_error(
          file,
          R"({"version":1,"files":[{"path":"/b","size":1,"mtime_ns":2,"offset":3,"finished":false}]})"),
      Catch::Contains("is corrupt: files[0].line must be an unsigned integer"));
  CHECK_THAT(
      load_error(
          file,
          R"({"version":1,"files":[{"path":"/b","size":1,"mtime_ns":2,"offset":3,"line":4,"finished":1}]})"),
      Catch::Contains("is corrupt: files[0].finished must be true or false"));
  CHECK_THAT(
      load_error(file, std::string{R"({"version":1,"files":[)"} + ok_entry + "," + ok_entry + "]}"),
      Catch::Contains("is corrupt: files[1]: /a is listed twice"));
}

TEST_CASE("checkpoint: a checkpoint that cannot be read is an error naming it", "[checkpoint]") {
  temp_dir dir;
  auto file = dir.path / "dir.json";
  fs::create_directory(file);
  auto cp = load_bulk_checkpoint(file);
  REQUIRE_FALSE(cp);
  CHECK(render(cp.error()) ==
        "io_error: cannot read checkpoint " + file.string() + ": Is a directory");
}

TEST_CASE("checkpoint: fingerprint is size and mtime in nanoseconds", "[checkpoint]") {
  temp_dir dir;
  auto file = dir.path / "in.jsonl";
  write(file, "{\"id\":\"1\"}\n");
  set_mtime(file, 1'700'000'000, 123'456'789);
  auto fp = fingerprint_of(file.string());
  REQUIRE(fp);
  CHECK(fp->size == 11);
  CHECK(fp->mtime_ns == 1'700'000'000'123'456'789);
  set_mtime(file, 1'700'000'000, 123'456'790);
  auto touched = fingerprint_of(file.string());
  REQUIRE(touched);
  CHECK_FALSE(*touched == *fp);

  auto missing = fingerprint_of((dir.path / "nope").string());
  REQUIRE_FALSE(missing);
  CHECK(render(missing.error()) == "io_error: cannot stat input file " +
                                       (dir.path / "nope").string() +
                                       ": No such file or directory");
}

TEST_CASE("checkpoint: plan_file skips, resumes or restarts", "[checkpoint]") {
  auto cp = sample();
  const file_fingerprint a_fp{1234, 1'700'000'000'123'456'789};
  SECTION("finished with the same fingerprint: skip") {
    auto plan = plan_file(cp, "/data/a.jsonl", a_fp);
    CHECK(plan.skip);
  }
  SECTION("finished but changed: from the start") {
    auto bigger = plan_file(cp, "/data/a.jsonl", {1235, a_fp.mtime_ns});
    CHECK_FALSE(bigger.skip);
    CHECK(bigger.from == resume_point{});
    auto touched = plan_file(cp, "/data/a.jsonl", {1234, a_fp.mtime_ns + 1});
    CHECK_FALSE(touched.skip);
    CHECK(touched.from == resume_point{});
  }
  SECTION("unfinished with the same fingerprint: resume at the settled point") {
    cp.files[0].finished = false;
    auto plan = plan_file(cp, "/data/a.jsonl", a_fp);
    CHECK_FALSE(plan.skip);
    CHECK(plan.from == resume_point{1000, 42});
  }
  SECTION("unfinished and changed: from the start") {
    cp.files[0].finished = false;
    auto plan = plan_file(cp, "/data/a.jsonl", {1, 1});
    CHECK_FALSE(plan.skip);
    CHECK(plan.from == resume_point{});
  }
  SECTION("a new file: from the start") {
    auto plan = plan_file(cp, "/data/new.jsonl", a_fp);
    CHECK_FALSE(plan.skip);
    CHECK(plan.from == resume_point{});
  }
}

TEST_CASE(
    "checkpoint: set_file replaces or appends, and a non-UTF-8 path still matches after a reload",
    "[checkpoint]") {
  temp_dir dir;
  bulk_checkpoint cp;
  set_file(cp, {"/x", {1, 1}, {10, 2}, false});
  set_file(cp, {"/y", {1, 1}, {0, 0}, false});
  set_file(cp, {"/x", {1, 1}, {20, 3}, true});
  REQUIRE(cp.files.size() == 2);
  CHECK(cp.files[0].settled == resume_point{20, 3});
  CHECK(cp.files[0].finished);

  std::string odd = "/data/\xff\xfe.jsonl";
  set_file(cp, {odd, {5, 6}, {7, 8}, false});
  auto file = dir.path / "job.json";
  REQUIRE_FALSE(save_bulk_checkpoint(file, cp));
  auto loaded = load_bulk_checkpoint(file);
  REQUIRE(loaded);
  auto plan = plan_file(*loaded, odd, {5, 6});
  CHECK_FALSE(plan.skip);
  CHECK(plan.from == resume_point{7, 8});
}

namespace {

bulk_upsert_spec csv_spec() {
  bulk_upsert_spec spec;
  spec.source.format = input_format::csv;
  spec.source.csv.delimiter = ';';
  spec.source.csv.columns = {{"age", csv_column_type::number}, {"ok", csv_column_type::boolean}};
  spec.id_path = "/key";
  spec.partition_key_path = "/tenant";
  return spec;
}

const char* reading_v2 = R"({"format":"jsonl","compression":"auto","id_path":"/id",)"
                         R"("generate_id":false,"partition_key_path":"","csv_delimiter":"",)"
                         R"("csv_columns":[]})";

} // namespace

TEST_CASE("checkpoint: the reading settings are saved and loaded (version 2), version 1 files "
          "still load without them",
          "[checkpoint]") {
  temp_dir dir;
  auto file = bulk_checkpoint_path(dir.path, "job");
  auto saved = sample();
  saved.reading = reading_spec_of(csv_spec());
  CHECK(saved.reading->format == "csv");
  CHECK(saved.reading->csv_delimiter == ";");
  CHECK(saved.reading->csv_columns == std::vector<std::string>{"age:number", "ok:boolean"});
  REQUIRE_FALSE(save_bulk_checkpoint(file, saved));
  auto text = std::string{};
  {
    std::ifstream in{file};
    text.assign(std::istreambuf_iterator<char>{in}, {});
  }
  CHECK_THAT(text, Catch::Contains(R"("version": 2)") && Catch::Contains(R"("id_path": "/key")"));
  auto loaded = load_bulk_checkpoint(file);
  REQUIRE(loaded);
  REQUIRE(loaded->reading);
  CHECK(*loaded->reading == *saved.reading);
  CHECK(loaded->files.size() == 3);

  write(file, R"({"version":1,"files":[{"path":"/a","size":1,"mtime_ns":2,"offset":3,"line":4,)"
              R"("finished":false}]})");
  auto old = load_bulk_checkpoint(file);
  REQUIRE(old);
  CHECK_FALSE(old->reading);
  REQUIRE(old->files.size() == 1);
  CHECK(old->files[0].settled == resume_point{3, 4});
  // Nothing to compare with: an old checkpoint is used as before.
  CHECK_FALSE(check_reading(*old, reading_spec_of(csv_spec()), file));
}

TEST_CASE("checkpoint: bad reading settings are corrupt, with the field named", "[checkpoint]") {
  temp_dir dir;
  auto file = dir.path / "job.json";
  auto f = file.string();
  auto with = [](std::string reading) {
    return R"({"version":2,"reading":)" + reading + R"(,"files":[]})";
  };
  CHECK(load_error(file, R"({"version":2,"files":[]})") ==
        "parse_error: checkpoint " + f + " is corrupt: no reading settings (remove " + f +
            " to load every input file from the beginning again)");
  CHECK_THAT(load_error(file, with("[]")),
             Catch::Contains("is corrupt: reading must be an object"));
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string r = reading_v2;
    auto at = r.find(from);
    REQUIRE(at != std::string::npos);
    return with(r.replace(at, from.size(), to));
  };
  CHECK_THAT(load_error(file, replace(R"("format":"jsonl")", R"("format":1)")),
             Catch::Contains("is corrupt: reading.format must be a string"));
  CHECK_THAT(load_error(file, replace(R"("id_path":"/id",)", "")),
             Catch::Contains("is corrupt: reading.id_path must be a string"));
  CHECK_THAT(load_error(file, replace(R"("generate_id":false)", R"("generate_id":"no")")),
             Catch::Contains("is corrupt: reading.generate_id must be true or false"));
  CHECK_THAT(load_error(file, replace(R"("csv_columns":[])", R"("csv_columns":[1])")),
             Catch::Contains("is corrupt: reading.csv_columns must be an array of strings"));
  write(file, with(reading_v2));
  CHECK(load_bulk_checkpoint(file));
}

TEST_CASE("checkpoint: other reading settings than the checkpoint's are refused, naming the file, "
          "the changes and how to start over",
          "[checkpoint]") {
  fs::path file = "/state/checkpoints/job.json";
  bulk_checkpoint cp = sample();
  bulk_upsert_spec jsonl;
  cp.reading = reading_spec_of(jsonl);
  CHECK_FALSE(check_reading(cp, reading_spec_of(jsonl), file));
  // Settings that do not decide how records are read may change.
  auto other = jsonl;
  other.operation = write_operation::create;
  other.concurrency.batch = 10;
  CHECK_FALSE(check_reading(cp, reading_spec_of(other), file));

  auto err = check_reading(cp, reading_spec_of(csv_spec()), file);
  REQUIRE(err);
  CHECK(render(err) ==
        "invalid_argument: checkpoint /state/checkpoints/job.json was written with other input "
        "settings (format: \"jsonl\" -> \"csv\"; id_path: \"/id\" -> \"/key\"; "
        "partition_key_path: \"\" -> \"/tenant\"; csv delimiter: \"\" -> \";\"; csv columns: [] -> "
        "[\"age:number\",\"ok:boolean\"]): its offsets do not fit the job any more. Delete "
        "/state/checkpoints/job.json to load every input file from the beginning again, or run "
        "with the previous settings to resume");

  cp.reading = reading_spec_of(csv_spec());
  auto columns = csv_spec();
  columns.source.csv.columns[0].type = csv_column_type::string;
  CHECK(reading_changes(*cp.reading, reading_spec_of(columns)) ==
        std::vector<std::string>{
            R"(csv columns: ["age:number","ok:boolean"] -> ["age:string","ok:boolean"])"});
  auto gz = jsonl;
  gz.source.compression = input_compression::gzip;
  gz.generate_id = true;
  CHECK(reading_changes(reading_spec_of(jsonl), reading_spec_of(gz)) ==
        std::vector<std::string>{R"(compression: "auto" -> "gzip")", "generate_id: false -> true"});
  // A checkpoint without files holds no offsets to misread.
  bulk_checkpoint empty;
  empty.reading = reading_spec_of(jsonl);
  CHECK_FALSE(check_reading(empty, reading_spec_of(csv_spec()), file));
}
