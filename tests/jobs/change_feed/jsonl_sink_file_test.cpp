#include "clients/error.hpp"
#include "jobs/change_feed/jsonl_sink_file.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace bulkd;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-jsonl-sink-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, ignored);
    fs::remove_all(path, ignored);
  }
};

std::string read_all(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_raw(const fs::path& p, const std::string& content) {
  std::ofstream out{p, std::ios::binary | std::ios::trunc};
  out << content;
}

change_batch batch_of(std::vector<std::string> docs, uint64_t seq = 0) {
  change_batch b;
  b.job = "feed";
  b.range_id = "0";
  b.documents = std::move(docs);
  b.sequence = seq;
  return b;
}

jsonl_sink spec_at(const fs::path& p, std::optional<uint64_t> rotate = std::nullopt) {
  jsonl_sink s;
  s.path = p.string();
  s.rotate = rotate;
  return s;
}

utc_time at(int64_t seconds_since_epoch) {
  return utc_time{std::chrono::seconds{seconds_since_epoch}};
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (auto& e : fs::directory_iterator(dir))
    out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

// Runs `f` with RLIMIT_FSIZE at `limit` bytes (writes beyond it fail with EFBIG, SIGXFSZ ignored),
// then restores both.
template <class F>
caf::error with_file_size_limit(rlim_t limit, F f) {
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = limit;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  auto err = f();
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  return err;
}

} // namespace

TEST_CASE("jsonl sink file writes one line per change, mode 0600", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "sub" / "feed.jsonl";
  auto f = jsonl_sink_file::open(spec_at(file));
  REQUIRE(f);
  CHECK(f->size() == 0);
  REQUIRE_FALSE(f->append(batch_of({R"({"id":"a"})", R"({"id":"b","n":1})"})));
  REQUIRE_FALSE(f->append(batch_of({})));
  REQUIRE_FALSE(f->append(batch_of({R"({"id":"c"})"})));
  CHECK(read_all(file) == "{\"id\":\"a\"}\n{\"id\":\"b\",\"n\":1}\n{\"id\":\"c\"}\n");
  CHECK(f->size() == read_all(file).size());
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(file.parent_path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("jsonl sink file keeps a change on one line", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  auto f = jsonl_sink_file::open(spec_at(file));
  REQUIRE(f);
  // Only whitespace of valid JSON can be a raw newline.
  REQUIRE_FALSE(f->append(batch_of({"{\"id\":\r\n\"a\"}", "{\"id\":\"b\\n\"}"})));
  CHECK(read_all(file) == "{\"id\":  \"a\"}\n{\"id\":\"b\\n\"}\n");
}

TEST_CASE("jsonl sink file continues an existing file", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  {
    auto f = jsonl_sink_file::open(spec_at(file));
    REQUIRE(f);
    REQUIRE_FALSE(f->append(batch_of({"1", "2"})));
  }
  auto f = jsonl_sink_file::open(spec_at(file));
  REQUIRE(f);
  CHECK(f->size() == 4);
  CHECK(f->torn_bytes_removed() == 0);
  REQUIRE_FALSE(f->append(batch_of({"3"})));
  CHECK(read_all(file) == "1\n2\n3\n");
}

TEST_CASE("jsonl sink file cuts a torn last line on open", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  SECTION("after complete lines") {
    write_raw(file, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"pa");
    auto f = jsonl_sink_file::open(spec_at(file));
    REQUIRE(f);
    CHECK(f->torn_bytes_removed() == 13);
    CHECK(f->size() == 22);
    REQUIRE_FALSE(f->append(batch_of({R"({"id":"c","payload":1})"})));
    CHECK(read_all(file) == "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"payload\":1}\n");
  }
  SECTION("a file that is only a torn line") {
    write_raw(file, "{\"id\":\"a");
    auto f = jsonl_sink_file::open(spec_at(file));
    REQUIRE(f);
    CHECK(f->torn_bytes_removed() == 8);
    REQUIRE_FALSE(f->append(batch_of({"{}"})));
    CHECK(read_all(file) == "{}\n");
  }
  SECTION("a torn line longer than the search chunk") {
    std::string complete = "{\"id\":\"a\"}\n";
    std::string torn = "{\"x\":\"" + std::string(200 * 1024, 'x');
    write_raw(file, complete + torn);
    auto f = jsonl_sink_file::open(spec_at(file));
    REQUIRE(f);
    CHECK(f->torn_bytes_removed() == torn.size());
    CHECK(read_all(file) == complete);
  }
}

TEST_CASE("jsonl sink file refuses a tail too long to be a torn line", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  std::string content = "{}\n" + std::string(jsonl_sink_file::max_torn_tail + 1, 'x');
  write_raw(file, content);
  auto f = jsonl_sink_file::open(spec_at(file));
  REQUIRE_FALSE(f);
  CHECK(render(f.error()) == "io_error: jsonl sink file " + file.string() +
                                 " ends with more than 16777216 bytes after its last newline: "
                                 "not a torn line of a change batch, refusing to truncate it");
  CHECK(fs::file_size(file) == content.size()); // untouched
}

TEST_CASE("jsonl sink file rotates between batches at the size limit", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  int64_t now = 1'790'000'000; // 2026-09-21T...
  auto f = jsonl_sink_file::open(spec_at(file, 10), [&] { return at(now); });
  REQUIRE(f);
  // 9 bytes: below the limit, the next batch goes into the same file.
  REQUIRE_FALSE(f->append(batch_of({"1234", "567"})));
  CHECK(f->size() == 9);
  // A batch is never split: this one takes the file to 15 bytes.
  REQUIRE_FALSE(f->append(batch_of({"ab", "cd"})));
  CHECK(f->rotated().empty());
  CHECK(read_all(file) == "1234\n567\nab\ncd\n");
  // 15 >= 10: rotated before the next batch.
  REQUIRE_FALSE(f->append(batch_of({"123456789"}))); // exactly 10 bytes
  auto first = rotated_name(file, at(now), 1);
  REQUIRE(f->rotated() == std::vector<fs::path>{first});
  CHECK(first.filename() == "feed.jsonl.20260921T141320Z.001");
  CHECK(read_all(first) == "1234\n567\nab\ncd\n");
  CHECK(read_all(file) == "123456789\n");
  // Exactly at the limit: the next batch rotates again, in the same second.
  REQUIRE_FALSE(f->append(batch_of({"x"})));
  auto second = rotated_name(file, at(now), 2);
  REQUIRE(f->rotated().size() == 2);
  CHECK(f->rotated()[1] == second);
  CHECK(read_all(second) == "123456789\n");
  CHECK(read_all(file) == "x\n");
  CHECK(files_in(tmp.path) ==
        std::vector<fs::path>{"feed.jsonl", first.filename(), second.filename()});
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("jsonl sink file rotates a full file left by an earlier run", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  write_raw(file, "old line\n");
  // A rotated file of the same second exists already: the counter moves on.
  write_raw(rotated_name(file, at(0), 1), "older\n");
  auto f = jsonl_sink_file::open(spec_at(file, 5), [] { return at(0); });
  REQUIRE(f);
  REQUIRE_FALSE(f->append(batch_of({"new"})));
  CHECK(read_all(file) == "new\n");
  CHECK(read_all(rotated_name(file, at(0), 1)) == "older\n");
  CHECK(read_all(rotated_name(file, at(0), 2)) == "old line\n");
  CHECK(rotated_name(file, at(0), 2).filename() == "feed.jsonl.19700101T000000Z.002");
}

TEST_CASE("jsonl sink file names the path and the reason when it cannot open", "[jsonl_sink]") {
  temp_dir tmp;
  SECTION("parent is a file") {
    write_raw(tmp.path / "plain", "x");
    auto file = tmp.path / "plain" / "feed.jsonl";
    auto f = jsonl_sink_file::open(spec_at(file));
    REQUIRE_FALSE(f);
    CHECK(render(f.error()) == "io_error: cannot create directory " +
                                   (tmp.path / "plain").string() + ": Not a directory");
  }
  SECTION("unwritable directory") {
    fs::path dir;
    if (::geteuid() != 0) {
      dir = tmp.path / "ro";
      fs::create_directory(dir);
      fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    } else if (fs::is_directory("/sys")) {
      dir = "/sys"; // root may write anywhere but in sysfs
    } else {
      WARN("no unwritable directory for root on this machine");
      return;
    }
    auto file = dir / "feed.jsonl";
    auto f = jsonl_sink_file::open(spec_at(file));
    REQUIRE_FALSE(f);
    auto text = render(f.error());
    CHECK(text.rfind("io_error: cannot open jsonl sink file " + file.string() + ": ", 0) == 0);
    CHECK((text.ends_with("Permission denied") || text.ends_with("Read-only file system")));
  }
  SECTION("a directory as the file") {
    auto f = jsonl_sink_file::open(spec_at(tmp.path));
    REQUIRE_FALSE(f);
    CHECK(render(f.error()) ==
          "io_error: cannot open jsonl sink file " + tmp.path.string() + ": Is a directory");
  }
  SECTION("a device as the file") {
    auto f = jsonl_sink_file::open(spec_at("/dev/null"));
    REQUIRE_FALSE(f);
    CHECK(render(f.error()) == "io_error: jsonl sink file /dev/null is not a regular file");
  }
  SECTION("not a file name") {
    auto f = jsonl_sink_file::open(spec_at(tmp.path / ""));
    REQUIRE_FALSE(f);
    CHECK(render(f.error()) == "invalid_argument: jsonl sink path '" + (tmp.path / "").string() +
                                   "' is not a file name");
  }
}

TEST_CASE("jsonl sink file reopens after its file was lost", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  auto f = jsonl_sink_file::open(spec_at(file, 1));
  REQUIRE(f);
  REQUIRE_FALSE(f->append(batch_of({"a"})));
  // The directory goes away: rotation cannot create the new active file.
  fs::remove_all(tmp.path);
  write_raw(tmp.path, "now a file");
  auto err = f->append(batch_of({"b"}));
  REQUIRE(err);
  CHECK(render(err).find(tmp.path.string()) != std::string::npos);
  fs::remove(tmp.path);
  fs::create_directory(tmp.path);
  REQUIRE_FALSE(f->append(batch_of({"b"})));
  CHECK(read_all(file) == "b\n");
}

TEST_CASE("jsonl sink file writes big batches in pieces, with or without fsync", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  auto spec = spec_at(file);
  spec.fsync = GENERATE(true, false);
  auto f = jsonl_sink_file::open(spec);
  REQUIRE(f);
  std::string big = "\"" + std::string(700 * 1024, 'b') + "\"";
  REQUIRE_FALSE(f->append(batch_of({big, "1", big})));
  CHECK(read_all(file) == big + "\n1\n" + big + "\n");
  CHECK(f->size() == 2 * big.size() + 4);
}

TEST_CASE("jsonl sink file leaves nothing of a batch that failed half-way", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  auto f = jsonl_sink_file::open(spec_at(file));
  REQUIRE(f);
  REQUIRE_FALSE(f->append(batch_of({"first"})));
  // The write fails (EFBIG) after the first megabyte of the batch is out.
  std::string big = "\"" + std::string(700 * 1024, 'b') + "\"";
  auto err = with_file_size_limit(1536 * 1024, [&] {
    return f->append(batch_of({big, big, big}));
  });
  REQUIRE(err);
  CHECK(render(err) ==
        "io_error: cannot write jsonl sink file " + file.string() + ": File too large");
  CHECK(read_all(file) == "first\n");
  // The retry writes the whole batch once.
  REQUIRE_FALSE(f->append(batch_of({big, big, big})));
  CHECK(read_all(file) == "first\n" + big + "\n" + big + "\n" + big + "\n");
}

TEST_CASE("jsonl sink file group commit: write several batches, one sync", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  auto f = jsonl_sink_file::open(spec_at(file));
  REQUIRE(f);
  REQUIRE_FALSE(f->write(batch_of({"a", "b"})));
  REQUIRE_FALSE(f->write(batch_of({"c"})));
  CHECK(f->unsynced_bytes() == 6);
  REQUIRE_FALSE(f->sync());
  CHECK(f->unsynced_bytes() == 0);
  REQUIRE_FALSE(f->sync()); // nothing to do
  CHECK(read_all(file) == "a\nb\nc\n");
}

TEST_CASE("jsonl sink file group commit: a failed write cuts only its own batch", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  auto f = jsonl_sink_file::open(spec_at(file));
  REQUIRE(f);
  REQUIRE_FALSE(f->write(batch_of({"first"})));
  std::string big = "\"" + std::string(700 * 1024, 'b') + "\"";
  auto err = with_file_size_limit(1536 * 1024, [&] { return f->write(batch_of({big, big, big})); });
  REQUIRE(err);
  // The unsynced batch before it stays, and the sync that follows makes it durable.
  CHECK(f->unsynced_bytes() == 6);
  REQUIRE_FALSE(f->sync());
  CHECK(read_all(file) == "first\n");
}

TEST_CASE("jsonl sink file group commit: rotation fsyncs the batches it moves", "[jsonl_sink]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  auto f = jsonl_sink_file::open(spec_at(file, 4), [] { return at(1'790'000'000); });
  REQUIRE(f);
  REQUIRE_FALSE(f->write(batch_of({"1234"})));
  REQUIRE_FALSE(f->write(batch_of({"x"}))); // rotates first: "1234\n" is synced and moved
  REQUIRE(f->rotated().size() == 1);
  CHECK(read_all(f->rotated()[0]) == "1234\n");
  CHECK(f->unsynced_bytes() == 2);
  REQUIRE_FALSE(f->sync());
  CHECK(read_all(file) == "x\n");
}
