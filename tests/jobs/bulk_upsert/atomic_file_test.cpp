#include "clients/error.hpp"
#include "jobs/atomic_file.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-atomic-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
};

struct scoped_umask {
  mode_t old;
  explicit scoped_umask(mode_t m) : old(::umask(m)) {}
  ~scoped_umask() { ::umask(old); }
};

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string slurp(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

size_t entries_in(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator{dir})
    ++n;
  return n;
}

} // namespace

TEST_CASE("atomic file: new file is 0600 under umask 0, parents 0700", "[atomic]") {
  temp_dir dir;
  scoped_umask um{0};
  auto file = dir.path / "a" / "b" / "state.json";
  REQUIRE_FALSE(bulkd::write_file_atomically(file, "hello\n"));
  CHECK(slurp(file) == "hello\n");
  CHECK(mode_of(file) == 0600);
  CHECK(mode_of(dir.path / "a") == 0700);
  CHECK(mode_of(dir.path / "a" / "b") == 0700);
  CHECK(entries_in(dir.path / "a" / "b") == 1); // no temporary file left
}

TEST_CASE("atomic file: replaces content and mode of an existing file", "[atomic]") {
  temp_dir dir;
  scoped_umask um{0};
  auto file = dir.path / "state.json";
  {
    std::ofstream out{file};
    out << "old content that is longer than the new one";
  }
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read);
  REQUIRE_FALSE(bulkd::write_file_atomically(file, "new"));
  CHECK(slurp(file) == "new");
  CHECK(mode_of(file) == 0600);
  REQUIRE_FALSE(bulkd::write_file_atomically(file, ""));
  CHECK(slurp(file).empty());
  CHECK(entries_in(dir.path) == 1);
}

TEST_CASE("atomic file: an existing parent keeps its mode and a restrictive umask still gives 0600",
          "[atomic]") {
  temp_dir dir;
  fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  scoped_umask um{0277};
  auto file = dir.path / "x.json";
  REQUIRE_FALSE(bulkd::write_file_atomically(file, "{}"));
  CHECK(mode_of(file) == 0600);
  CHECK(mode_of(dir.path) == 0750);
  REQUIRE_FALSE(bulkd::write_file_atomically(dir.path / "new" / "y.json", "{}"));
  CHECK(mode_of(dir.path / "new") == 0700);
}

TEST_CASE("atomic file: failures name the path and leave no temporary file", "[atomic]") {
  temp_dir dir;
  SECTION("the target is a directory") {
    auto target = dir.path / "taken";
    fs::create_directory(target);
    fs::create_directory(target / "inside"); // a non-empty directory cannot be replaced
    auto err = bulkd::write_file_atomically(target, "data");
    REQUIRE(err);
    auto text = bulkd::render(err);
    CHECK_THAT(text, Catch::Contains("io_error") && Catch::Contains(target.string()) &&
                         Catch::Contains("cannot rename"));
    CHECK(entries_in(dir.path) == 1);
    CHECK(fs::is_directory(target));
  }
  SECTION("a parent is a file") {
    auto blocker = dir.path / "file";
    std::ofstream{blocker} << "x";
    auto err = bulkd::write_file_atomically(blocker / "sub" / "f.json", "data");
    REQUIRE(err);
    CHECK_THAT(bulkd::render(err),
               Catch::Contains(blocker.string()) && Catch::Contains("Not a directory"));
    CHECK(entries_in(dir.path) == 1);
  }
  SECTION("the directory is not writable") {
    if (::geteuid() == 0)
      return; // root writes anyway
    fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
    auto err = bulkd::write_file_atomically(dir.path / "f.json", "data");
    REQUIRE(err);
    CHECK_THAT(bulkd::render(err), Catch::Contains((dir.path / "f.json").string()) &&
                                       Catch::Contains("Permission denied"));
  }
  SECTION("a write that fails keeps the old content") {
    auto file = dir.path / "keep.json";
    REQUIRE_FALSE(bulkd::write_file_atomically(file, "old"));
    // Files may not grow beyond 16 bytes: the write fails with EFBIG instead of a signal.
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit old_limit{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    rlimit small = old_limit;
    small.rlim_cur = 16;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    auto err = bulkd::write_file_atomically(file, std::string(100, 'x'));
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    REQUIRE(err);
    CHECK_THAT(bulkd::render(err), Catch::StartsWith("io_error: cannot write " +
                                                     (dir.path / ".keep.json.tmp-").string()) &&
                                       Catch::EndsWith(": File too large"));
    CHECK(slurp(file) == "old");
    CHECK(entries_in(dir.path) == 1);
  }
  SECTION("no file name") {
    auto err = bulkd::write_file_atomically(dir.path / "", "data");
    REQUIRE(err);
    CHECK_THAT(bulkd::render(err), Catch::Contains("not a file name"));
  }
}
