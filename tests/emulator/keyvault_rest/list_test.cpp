#include "kv_server.hpp"

#include <map>

using namespace kv_test;

namespace {

/// Follows nextLinks from `first`; returns every item and checks each link's form.
std::vector<json> walk(kv_server& s, kv_client& c, const std::string& first, size_t page_size,
                       size_t* pages = nullptr) {
  std::vector<json> items;
  auto r = c.get(first);
  size_t n = 0;
  for (;;) {
    REQUIRE(r.status == 200);
    ++n;
    REQUIRE(r.body.at("value").is_array());
    CHECK(r.body.at("value").size() <= page_size);
    for (auto& item : r.body.at("value"))
      items.push_back(item);
    auto& next = r.body.at("nextLink");
    if (next.is_null())
      break;
    auto link = next.get<std::string>();
    REQUIRE(link.rfind(s.base + "/", 0) == 0);
    CHECK(link.find("api-version=7.5&$skiptoken=") != std::string::npos);
    CHECK(link.find("&maxresults=" + std::to_string(page_size)) != std::string::npos);
    r = c.get_raw(link.substr(s.base.size()));
  }
  if (pages)
    *pages = n;
  return items;
}

} // namespace

TEST_CASE("key vault: listing 30 keys 7 at a time sees each once", "[keyvault_rest][list]") {
  kv_server s;
  kv_client c{s};
  std::set<std::string> created;
  for (int i = 0; i < 30; ++i) {
    auto name = "k" + std::to_string(100 + i);
    REQUIRE(c.post("/keys/" + name + "/create", json{{"kty", "oct"}}).status == 200);
    created.insert(s.base + "/keys/" + name);
  }
  // A second version must not add a second item.
  REQUIRE(c.post("/keys/k105/create", json{{"kty", "oct"}}).status == 200);
  size_t pages = 0;
  auto items = walk(s, c, "/keys?maxresults=7", 7, &pages);
  CHECK(pages == 5);
  std::multiset<std::string> seen;
  for (auto& item : items) {
    seen.insert(item.at("kid").get<std::string>());
    CHECK(item.at("attributes").at("enabled") == true);
    CHECK_FALSE(item.contains("key"));
  }
  CHECK(seen.size() == 30);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == created);
  // Default page size 25.
  CHECK(c.get("/keys").body.at("value").size() == 25);
}

TEST_CASE("key vault: an empty vault lists an empty page", "[keyvault_rest][list]") {
  kv_server s;
  kv_client c{s};
  auto keys = c.get("/keys");
  REQUIRE(keys.status == 200);
  CHECK(keys.body == json({{"value", json::array()}, {"nextLink", nullptr}}));
  auto deleted = c.get("/deletedkeys");
  CHECK(deleted.body == json({{"value", json::array()}, {"nextLink", nullptr}}));
}

TEST_CASE("key vault: versions are listed in creation order with their ids",
          "[keyvault_rest][list]") {
  kv_server s;
  kv_client c{s};
  std::vector<std::string> kids;
  for (int i = 0; i < 5; ++i) {
    auto r = c.post("/keys/multi/create", json{{"kty", "EC"}});
    REQUIRE(r.status == 200);
    kids.push_back(r.body.at("key").at("kid").get<std::string>());
  }
  REQUIRE(c.post("/keys/other/create", json{{"kty", "EC"}}).status == 200);
  size_t pages = 0;
  auto items = walk(s, c, "/keys/multi/versions?maxresults=2", 2, &pages);
  CHECK(pages == 3);
  std::vector<std::string> seen;
  for (auto& item : items)
    seen.push_back(item.at("kid").get<std::string>());
  CHECK(seen == kids);
  auto missing = c.get("/keys/none/versions");
  CHECK(missing.status == 404);
  CHECK(error_code(missing) == "KeyNotFound");
}

TEST_CASE("key vault: bad paging parameters are refused", "[keyvault_rest][list]") {
  kv_server s;
  kv_client c{s};
  for (auto bad : {"0", "26", "abc", "-1", ""}) {
    auto r = c.get(std::string{"/keys?maxresults="} + bad);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "BadParameter");
    CHECK(error_message(r) ==
          std::string{"Invalid maxresults '"} + bad + "': it must be an integer from 1 to 25.");
  }
  auto token = c.get("/keys?$skiptoken=*not*base64*");
  CHECK(token.status == 400);
  CHECK(error_message(token) == "The $skiptoken is not valid.");
  auto version_token = c.get("/keys/x/versions?$skiptoken=YWJj");
  CHECK(version_token.status == 400);
  CHECK(error_message(version_token) == "The $skiptoken is not valid.");
}
