#include "kv_server.hpp"

using namespace kv_test;

TEST_CASE("key vault: delete, get deleted, recover, delete again and purge",
          "[keyvault_rest][deleted]") {
  kv_server s;
  kv_client c{s};
  auto created = c.post("/keys/Gone/create", json{{"kty", "EC"}, {"tags", {{"t", "1"}}}});
  REQUIRE(created.status == 200);
  s.now += 60;
  const int64_t deleted_at = start_time + 60;
  auto deleted = c.del("/keys/gone");
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body.at("recoveryId") == s.base + "/deletedkeys/Gone");
  CHECK(deleted.body.at("deletedDate") == deleted_at);
  CHECK(deleted.body.at("scheduledPurgeDate") == deleted_at + 90 * 86400);
  CHECK(deleted.body.at("key") == created.body.at("key"));
  CHECK(deleted.body.at("tags") == json({{"t", "1"}}));

  CHECK(c.get("/keys/Gone/").status == 404);
  CHECK(c.get("/keys").body.at("value").empty());
  auto again = c.del("/keys/Gone");
  CHECK(again.status == 404);
  CHECK(error_code(again) == "KeyNotFound");
  auto reuse = c.post("/keys/Gone/create", json{{"kty", "EC"}});
  CHECK(reuse.status == 409);
  CHECK(error_code(reuse) == "Conflict");
  CHECK(error_message(reuse) == "Key Gone is currently in a deleted but recoverable state, and "
                                "its name cannot be reused; in this state, the key can only be "
                                "recovered or purged.");

  auto got = c.get("/deletedkeys/Gone");
  REQUIRE(got.status == 200);
  CHECK(got.body == deleted.body);
  auto listed = c.get("/deletedkeys");
  REQUIRE(listed.status == 200);
  REQUIRE(listed.body.at("value").size() == 1);
  auto& item = listed.body.at("value")[0];
  CHECK(item.at("kid") == s.base + "/keys/Gone");
  CHECK(item.at("recoveryId") == s.base + "/deletedkeys/Gone");
  CHECK(item.at("deletedDate") == deleted_at);
  CHECK(item.at("scheduledPurgeDate") == deleted_at + 90 * 86400);

  auto recovered = c.post("/deletedkeys/Gone/recover", std::string{});
  REQUIRE(recovered.status == 200);
  CHECK(recovered.body == created.body);
  CHECK(c.get("/keys/Gone").status == 200);
  auto not_deleted = c.get("/deletedkeys/Gone");
  CHECK(not_deleted.status == 404);
  CHECK(error_message(not_deleted) == "Deleted Key not found: Gone");

  REQUIRE(c.del("/keys/Gone").status == 200);
  auto purged = c.del("/deletedkeys/Gone");
  CHECK(purged.status == 204);
  CHECK(purged.body.is_null());
  auto purged_again = c.del("/deletedkeys/Gone");
  CHECK(purged_again.status == 404);
  CHECK(error_code(purged_again) == "KeyNotFound");
  CHECK(error_message(purged_again) == "Deleted Key not found: Gone");
  auto recover_missing = c.post("/deletedkeys/Gone/recover", std::string{});
  CHECK(recover_missing.status == 404);
  CHECK(error_message(recover_missing) == "Deleted Key not found: Gone");
  // The name is free again.
  CHECK(c.post("/keys/Gone/create", json{{"kty", "EC"}}).status == 200);
}

TEST_CASE("key vault: deleted keys are purged at their scheduled date",
          "[keyvault_rest][deleted]") {
  kv_server s;
  s.kv_ctx.recoverable_days = 7;
  kv_client c{s};
  REQUIRE(c.post("/keys/short/create", json{{"kty", "oct"}}).status == 200);
  auto deleted = c.del("/keys/short");
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body.at("attributes").at("recoverableDays") == 7);
  CHECK(deleted.body.at("scheduledPurgeDate") == start_time + 7 * 86400);
  s.now += 7 * 86400 - 1;
  kv_client later{s}; // the first token has expired
  CHECK(later.get("/deletedkeys/short").status == 200);
  s.now += 1;
  CHECK(later.get("/deletedkeys/short").status == 404);
  CHECK(later.get("/deletedkeys").body.at("value").empty());
}

TEST_CASE("key vault: deleted keys page like keys", "[keyvault_rest][deleted]") {
  kv_server s;
  kv_client c{s};
  for (int i = 0; i < 5; ++i) {
    auto name = "d" + std::to_string(i);
    REQUIRE(c.post("/keys/" + name + "/create", json{{"kty", "oct"}}).status == 200);
    REQUIRE(c.del("/keys/" + name).status == 200);
  }
  std::vector<std::string> seen;
  auto r = c.get("/deletedkeys?maxresults=2");
  for (;;) {
    REQUIRE(r.status == 200);
    for (auto& item : r.body.at("value"))
      seen.push_back(item.at("kid").get<std::string>().substr(s.base.size()));
    if (r.body.at("nextLink").is_null())
      break;
    r = c.get_raw(r.body.at("nextLink").get<std::string>().substr(s.base.size()));
  }
  CHECK(seen ==
        std::vector<std::string>{"/keys/d0", "/keys/d1", "/keys/d2", "/keys/d3", "/keys/d4"});
}
