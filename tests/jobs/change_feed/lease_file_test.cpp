// The file lease store's file: path, round trip, bad input naming the file, and the ownership
// rules both stores apply (lease_update).

#include "clients/error.hpp"
#include "jobs/change_feed/lease_file.hpp"
#include "jobs/change_feed/lease_update.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace bulkd;
using namespace std::chrono_literals;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-leases-XXXXXX").string();
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

lease make(std::string token, std::string owner = {}) {
  lease l;
  l.range = {token, "", "FF"};
  l.id = lease_id("j", token);
  l.owner = std::move(owner);
  l.timestamp = utc_time{1'800'000'000'000ms};
  l.etag = "1";
  return l;
}

std::string file_failure(const std::string& text) {
  auto f = parse_lease_file(text);
  REQUIRE_FALSE(f);
  CHECK(f.error().code() == static_cast<uint8_t>(ec::parse_error));
  return render(f.error());
}

const std::string lease0 =
    R"({"id":"j..0","LeaseToken":"0","FeedRange":{"Range":{"min":"","max":"FF"}},"Owner":"",)"
    R"("ContinuationToken":null,"timestamp":"2026-11-21T19:30:00Z","_etag":"1"})";

} // namespace

TEST_CASE("lease file: <state_dir>/leases/<job>.json, round trip, missing = empty",
          "[jobs][lease]") {
  temp_dir dir;
  auto path = lease_file_path(dir.path, "orders-feed");
  CHECK(path == dir.path / "leases" / "orders-feed.json");
  auto empty = load_lease_file(path);
  REQUIRE(empty);
  CHECK(empty->leases.empty());
  lease_file f;
  f.etag_counter = 7;
  f.leases = {make("0", "a"), make("1")};
  f.leases[0].continuation = "\"12\"";
  f.leases[1].start_from = "now";
  REQUIRE_FALSE(save_lease_file(path, f));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto back = load_lease_file(path);
  REQUIRE(back);
  CHECK(*back == f);
}

TEST_CASE("lease file: bad input is an error that names the file and the problem",
          "[jobs][lease][bad_input]") {
  CHECK(file_failure("") == "parse_error: not JSON");
  CHECK(file_failure("[]") == "parse_error: must be a JSON object");
  CHECK(file_failure(R"({"etag_counter":1,"leases":[]})") ==
        "parse_error: \"version\" is missing or not an integer");
  CHECK(file_failure(R"({"version":2,"etag_counter":1,"leases":[]})") ==
        "parse_error: version 2 is not supported (only 1)");
  CHECK(file_failure(R"({"version":1,"etag_counter":-1,"leases":[]})") ==
        "parse_error: \"etag_counter\" is missing or not a non-negative integer");
  CHECK(file_failure(R"({"version":1,"etag_counter":1,"leases":{}})") ==
        "parse_error: \"leases\" is missing or not an array");
  CHECK(file_failure(R"({"version":1,"etag_counter":1,"leases":[)" + lease0 + R"(,{"id":1}]})") ==
        "parse_error: leases[1]: lease: \"id\" must be a string, not number");
  CHECK(file_failure(R"({"version":1,"etag_counter":1,"leases":[)" + lease0 + "," + lease0 +
                     "]}") == "parse_error: leases[1]: a second lease for range 0");
  temp_dir dir;
  auto path = dir.path / "broken.json";
  write(path, R"({"version":1,"etag_counter":1,"leases":[{"id":"j..0"}]})");
  auto loaded = load_lease_file(path);
  REQUIRE_FALSE(loaded);
  CHECK(render(loaded.error()) == "parse_error: leases file " + path.string() +
                                      ": leases[0]: lease: \"LeaseToken\" is missing");
}

TEST_CASE("lease update: renew, checkpoint and release need ownership, acquire takes any",
          "[jobs][lease]") {
  auto now = utc_time{1'800'000'100'000ms};
  auto mine = make("3", "a");
  auto renewed = apply_change(mine, lease_change::renew, "a", now);
  REQUIRE(renewed);
  CHECK(renewed->timestamp == now);
  CHECK(renewed->owner == "a");
  auto cp = apply_change(mine, lease_change::checkpoint, "a", now, "\"9\"");
  REQUIRE(cp);
  CHECK(cp->continuation == "\"9\"");
  auto released = apply_change(*cp, lease_change::release, "a", now);
  REQUIRE(released);
  CHECK(released->free());
  CHECK(released->continuation == "\"9\"");
  auto lost = apply_change(mine, lease_change::checkpoint, "b", now, "\"9\"");
  REQUIRE_FALSE(lost);
  CHECK(render(lost.error()) == "conflict: lease 3 lost: owned by a now");
  auto gone = apply_change(*released, lease_change::renew, "a", now);
  REQUIRE_FALSE(gone);
  CHECK(render(gone.error()) == "conflict: lease 3 lost: released");
  auto taken = apply_change(mine, lease_change::acquire, "b", now);
  REQUIRE(taken);
  CHECK(taken->owner == "b");
  CHECK(render(acquire_conflict(mine)) ==
        "conflict: lease 3 changed since it was listed (owner a)");
  CHECK(render(lease_gone("3")) == "not_found: lease 3 is gone (split or deleted)");
}
