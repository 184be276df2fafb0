#include "clients/error.hpp"
#include "emulator/keyvault/key_store.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <unistd.h>

using namespace bulkd::emulator::keyvault;
using bulkd::ec;

namespace {

key_version_backup ec_version(const std::string& id, int64_t now = 1700000000) {
  auto key = key_material::generate({"EC", {}, "P-256", {}});
  REQUIRE(key);
  key_version_backup v;
  v.version = id;
  v.key = std::move(*key);
  v.attributes.created = v.attributes.updated = now;
  v.attributes.recoverable_days = 90;
  v.key_ops = {"sign", "verify"};
  v.tags = {{"purpose", "test"}};
  return v;
}

std::unique_ptr<key_store> memory_store() {
  auto store = key_store::open(":memory:");
  REQUIRE(store);
  return std::move(*store);
}

ec code_of(const caf::error& err) {
  return static_cast<ec>(err.code());
}

} // namespace

TEST_CASE("key store keeps versions in order and finds them by name case-insensitively",
          "[key_store]") {
  auto store = memory_store();
  CHECK(store->backup_secret().size() == 32);
  REQUIRE(store->add_version("My-Key", ec_version("aaaa")));
  REQUIRE(store->add_version("my-key", ec_version("bbbb")));
  auto latest = store->latest("MY-KEY");
  REQUIRE(latest);
  CHECK(latest->name == "My-Key");
  CHECK(latest->version.version == "bbbb");
  CHECK(latest->version.tags.at("purpose") == "test");
  CHECK(latest->version.key_ops == std::vector<std::string>{"sign", "verify"});
  auto first = store->get("my-key", "AAAA");
  REQUIRE(first);
  CHECK(first->version.version == "aaaa");
  auto missing = store->get("my-key", "cccc");
  REQUIRE_FALSE(missing);
  CHECK(code_of(missing.error()) == ec::not_found);
  auto dup = store->add_version("my-key", ec_version("aaaa"));
  REQUIRE_FALSE(dup);
  CHECK(code_of(dup.error()) == ec::conflict);
  auto bad = store->add_version("bad_name", ec_version("x"));
  REQUIRE_FALSE(bad);
  CHECK(bulkd::render(bad.error()) == "invalid_argument: invalid key name 'bad_name'");
}

TEST_CASE("key store pages keys and versions without repeats", "[key_store]") {
  auto store = memory_store();
  for (int i = 0; i < 9; ++i)
    REQUIRE(store->add_version("k" + std::to_string(i), ec_version("v" + std::to_string(i))));
  for (int i = 0; i < 4; ++i)
    REQUIRE(store->add_version("k3", ec_version("w" + std::to_string(i))));
  std::vector<std::string> seen;
  std::string after;
  for (;;) {
    auto page = store->list_keys(after, 4);
    REQUIRE(page);
    for (auto& r : page->items)
      seen.push_back(r.name);
    if (!page->more)
      break;
    after = page->items.back().name;
  }
  CHECK(seen == std::vector<std::string>{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"});
  std::vector<std::string> versions;
  int64_t seq = 0;
  for (;;) {
    auto page = store->list_versions("k3", seq, 2, &seq);
    REQUIRE(page);
    for (auto& r : page->items)
      versions.push_back(r.version.version);
    if (!page->more)
      break;
  }
  CHECK(versions == std::vector<std::string>{"v3", "w0", "w1", "w2", "w3"});
}

TEST_CASE("key store soft-deletes, recovers, purges and expires", "[key_store]") {
  auto store = memory_store();
  REQUIRE(store->add_version("gone", ec_version("v1")));
  auto deleted = store->soft_delete("gone", 1000, 7);
  REQUIRE(deleted);
  CHECK(deleted->deleted_date == 1000);
  CHECK(deleted->scheduled_purge_date == 1000 + 7 * 86400);
  CHECK(code_of(store->latest("gone").error()) == ec::not_found);
  CHECK(code_of(store->add_version("gone", ec_version("v2")).error()) == ec::conflict);
  CHECK(code_of(store->soft_delete("gone", 1001, 7).error()) == ec::not_found);
  REQUIRE(store->get_deleted("gone"));
  REQUIRE(store->recover("gone"));
  CHECK(store->latest("gone"));
  CHECK(code_of(store->purge("gone")) == ec::not_found);
  REQUIRE(store->soft_delete("gone", 1000, 7));
  REQUIRE_FALSE(store->purge("gone"));
  CHECK(code_of(store->get_deleted("gone").error()) == ec::not_found);

  REQUIRE(store->add_version("old", ec_version("v1")));
  REQUIRE(store->soft_delete("old", 1000, 7));
  auto none = store->purge_expired(1000 + 7 * 86400 - 1);
  REQUIRE(none);
  CHECK(*none == 0);
  auto one = store->purge_expired(1000 + 7 * 86400);
  REQUIRE(one);
  CHECK(*one == 1);
  CHECK(code_of(store->get_deleted("old").error()) == ec::not_found);
}

TEST_CASE("key store restores a backup with its version ids and refuses taken names",
          "[key_store]") {
  auto store = memory_store();
  REQUIRE(store->add_version("r", ec_version("v1")));
  REQUIRE(store->add_version("r", ec_version("v2")));
  auto backup = store->backup("r");
  REQUIRE(backup);
  REQUIRE(backup->versions.size() == 2);
  CHECK(code_of(store->restore(*backup).error()) == ec::conflict);
  REQUIRE(store->soft_delete("r", 1, 7));
  CHECK(code_of(store->restore(*backup).error()) == ec::conflict);
  REQUIRE_FALSE(store->purge("r"));
  auto restored = store->restore(*backup);
  REQUIRE(restored);
  CHECK(restored->version.version == "v2");
  auto first = store->get("r", "v1");
  REQUIRE(first);
  CHECK(first->version.key.public_jwk() == backup->versions[0].key.public_jwk());
}

TEST_CASE("key store updates one version in place", "[key_store]") {
  auto store = memory_store();
  REQUIRE(store->add_version("u", ec_version("v1")));
  auto updated = store->update("u", "", [](key_version_backup& v) {
    v.attributes.enabled = false;
    v.attributes.updated = 42;
    v.tags = {};
    return caf::error{};
  });
  REQUIRE(updated);
  auto again = store->latest("u");
  REQUIRE(again);
  CHECK_FALSE(again->version.attributes.enabled);
  CHECK(again->version.attributes.updated == 42);
  CHECK(again->version.tags.empty());
  auto refused = store->update(
      "u", "v1", [](key_version_backup&) { return bulkd::make_error(ec::invalid_argument, "no"); });
  REQUIRE_FALSE(refused);
  CHECK(bulkd::render(refused.error()) == "invalid_argument: no");
  CHECK(
      code_of(store->update("u", "v9", [](key_version_backup&) { return caf::error{}; }).error()) ==
      ec::not_found);
}

TEST_CASE("key store survives a reopen of its file", "[key_store]") {
  auto dir =
      std::filesystem::temp_directory_path() / ("bulkd-key-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto path = (dir / "kv.sqlite").string();
  std::string secret;
  nlohmann::json jwk;
  {
    auto store = key_store::open(path);
    REQUIRE(store);
    secret = (*store)->backup_secret();
    auto v = ec_version("v1");
    jwk = v.key.private_jwk();
    REQUIRE((*store)->add_version("kept", v));
    REQUIRE((*store)->add_version("trashed", ec_version("v1")));
    REQUIRE((*store)->soft_delete("trashed", 5, 7));
  }
  {
    auto store = key_store::open(path);
    REQUIRE(store);
    CHECK((*store)->backup_secret() == secret);
    auto kept = (*store)->latest("kept");
    REQUIRE(kept);
    CHECK(kept->version.key.private_jwk() == jwk);
    auto trashed = (*store)->get_deleted("trashed");
    REQUIRE(trashed);
    CHECK(trashed->deleted_date == 5);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("key store refuses a file that is not a database", "[key_store]") {
  auto path = std::filesystem::temp_directory_path() /
              ("bulkd-key-store-junk-" + std::to_string(::getpid()));
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    std::fputs("this is not sqlite, just some text long enough to matter..........", f);
    std::fclose(f);
  }
  auto store = key_store::open(path.string());
  REQUIRE_FALSE(store);
  CHECK_THAT(bulkd::render(store.error()), Catch::Contains("file is not a database"));
  std::filesystem::remove(path);
}
