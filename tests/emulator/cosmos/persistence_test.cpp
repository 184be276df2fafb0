#include "tests/emulator/cosmos/emulator_fixture.hpp"

#include <filesystem>
#include <unistd.h>

using namespace bulkd::emulator::testing;

TEST_CASE("cosmos emulator: data survives a restart on the same data dir", "[emulator][cosmos]") {
  auto dir =
      std::filesystem::temp_directory_path() / ("bulkd-emu-persist-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  fixture_options opts;
  opts.store_path = (dir / "cosmos.sqlite").string();
  opts.ranges = 2;
  std::string etag;
  std::string rid;
  std::string coll_rid;
  {
    emulator_fixture emu{opts};
    REQUIRE(emu.create_database("db").status == 201);
    auto c = emu.create_container("db", "c", {{"paths", {"/pk"}}, {"version", 2}});
    REQUIRE(c.status == 201);
    coll_rid = c.json["_rid"];
    auto w = emu.send("POST", "/dbs/db/colls/c/docs", R"({"id":"d1","pk":"p","v":"kept"})");
    REQUIRE(w.status == 201);
    etag = w.header("etag");
    rid = w.json["_rid"];
    CHECK(std::filesystem::exists(dir / "cosmos.sqlite-wal"));
  }
  {
    emulator_fixture emu{opts};
    auto c = emu.send("GET", "/dbs/db/colls/c");
    REQUIRE(c.status == 200);
    CHECK(c.json["_rid"] == coll_rid);
    CHECK(emu.send("GET", "/dbs/db/colls/c/pkranges").json["_count"] == 2);
    auto r =
        emu.send("GET", "/dbs/db/colls/c/docs/d1", "", emulator_fixture::pk_header(R"(["p"])"));
    REQUIRE(r.status == 200);
    CHECK(r.json["v"] == "kept");
    CHECK(r.header("etag") == etag);
    CHECK(r.json["_rid"] == rid);
    auto token = r.header("x-ms-session-token");
    // The range's LSN continues where it was.
    auto w = emu.send("POST", "/dbs/db/colls/c/docs", R"({"id":"d2","pk":"p"})");
    REQUIRE(w.status == 201);
    CHECK(w.header("x-ms-session-token") == token.substr(0, token.find('#')) + "#2");
    CHECK(w.header("etag") != etag);
    CHECK(w.json["_rid"] != rid);
  }
  std::filesystem::remove_all(dir);
}
