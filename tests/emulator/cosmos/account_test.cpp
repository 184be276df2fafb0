#include "tests/emulator/cosmos/emulator_fixture.hpp"

using namespace bulkd::emulator::testing;

TEST_CASE("cosmos emulator: database account points at the server itself", "[emulator][cosmos]") {
  emulator_fixture emu;
  auto r = emu.send("GET", "/");
  REQUIRE(r.status == 200);
  CHECK(r.json["id"] == "bulkd-emulator");
  CHECK(r.json["id"] != "localhost");
  auto expected = "http://127.0.0.1:" + std::to_string(emu.srv->port()) + "/";
  REQUIRE(r.json["writableLocations"].size() == 1);
  CHECK(r.json["writableLocations"][0]["databaseAccountEndpoint"] == expected);
  REQUIRE(r.json["readableLocations"].size() == 1);
  CHECK(r.json["readableLocations"][0]["databaseAccountEndpoint"] == expected);
  CHECK(r.json["userConsistencyPolicy"]["defaultConsistencyLevel"] == "Session");
  CHECK(r.json["queryEngineConfiguration"].is_string());
  CHECK(r.json["enablePerPartitionFailoverBehavior"] == false);
  CHECK_FALSE(r.header("x-ms-activity-id").empty());
  CHECK(r.header("x-ms-request-charge") == "1");
  CHECK(r.header("x-ms-version") == "2020-07-15");
}

TEST_CASE("cosmos emulator: requests without a valid master-key signature get 401",
          "[emulator][cosmos]") {
  emulator_fixture emu;
  SECTION("no Authorization header") {
    auto r = emu.raw("GET", "/dbs", "", {});
    CHECK(r.status == 401);
    CHECK(r.code() == "Unauthorized");
    CHECK_THAT(r.message(), Catch::Contains("authorization header is missing"));
  }
  SECTION("signed with another key") {
    auto other = *bulkd::cosmos::parse_master_key("b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXk=");
    auto date = bulkd::cosmos::format_http_date(std::chrono::system_clock::now());
    auto auth = bulkd::cosmos::master_authorization(other, "get", "dbs", "", date);
    auto r = emu.send("GET", "/dbs", "", {{"authorization", auth}, {"x-ms-date", date}});
    CHECK(r.status == 401);
    CHECK_THAT(r.message(), Catch::Contains("the signature does not match"));
    CHECK_FALSE(r.header("x-ms-activity-id").empty());
  }
  SECTION("signed for another resource") {
    auto date = bulkd::cosmos::format_http_date(std::chrono::system_clock::now());
    auto auth = bulkd::cosmos::master_authorization(emu.key, "get", "dbs", "dbs/other", date);
    auto r = emu.send("GET", "/dbs/db1", "", {{"authorization", auth}, {"x-ms-date", date}});
    CHECK(r.status == 401);
    CHECK_THAT(r.message(), Catch::Contains("get\\ndbs\\ndbs/db1\\n"));
  }
  SECTION("a date outside the allowed window") {
    auto date =
        bulkd::cosmos::format_http_date(std::chrono::system_clock::now() - std::chrono::hours(1));
    auto r = emu.send("GET", "/dbs", "", {{"x-ms-date", date}});
    CHECK(r.status == 401);
    CHECK_THAT(r.message(), Catch::Contains("too old"));
  }
  SECTION("an AAD token") {
    auto r = emu.send("GET", "/dbs", "",
                      {{"authorization", "type=aad&ver=1.0&sig=eyJhbGciOiJSUzI1NiJ9.e30.sig"}});
    CHECK(r.status == 401);
    CHECK_THAT(r.message(), Catch::Contains("AAD tokens are not configured"));
  }
}

TEST_CASE("cosmos emulator: unknown routes answer 404 in Cosmos' error shape",
          "[emulator][cosmos]") {
  emulator_fixture emu;
  auto r = emu.raw("GET", "/no/such/thing", "", {});
  CHECK(r.status == 404);
  CHECK(r.code() == "NotFound");
  CHECK_THAT(r.message(), Catch::Contains("/no/such/thing"));
  CHECK_FALSE(r.header("x-ms-activity-id").empty());
  auto bad_type = emu.send("GET", "/dbs/db1/widgets");
  CHECK(bad_type.status == 404);
  CHECK(bad_type.code() == "NotFound");
  CHECK_THAT(bad_type.message(), Catch::Contains("'widgets' cannot follow 'dbs'"));
}
