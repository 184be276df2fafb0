#include "jobs/error_text.hpp"
#include "jobs/key_backup/key_name.hpp"
#include "jobs/key_backup/set_layout.hpp"
#include "tests/jobs/key_backup/key_backup_test_support.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::key_backup;

TEST_CASE("set directories are named by the UTC start second", "[key_backup]") {
  auto t = test::at("2026-11-21T15:04:05.750Z");
  CHECK(set_directory_name(t) == "2026-11-21T15-04-05Z");
  CHECK(set_directory_name(t, 2) == "2026-11-21T15-04-05Z-2");
  auto p = parse_set_directory_name("2026-11-21T15-04-05Z");
  REQUIRE(p);
  CHECK(p->started == test::at("2026-11-21T15:04:05Z"));
  CHECK(p->sequence == 1);
  auto p2 = parse_set_directory_name("2026-11-21T15-04-05Z-12");
  REQUIRE(p2);
  CHECK(p2->sequence == 12);
  CHECK(*p < *p2);
  CHECK(*parse_set_directory_name("2026-11-21T15-04-05Z-2") <
        *parse_set_directory_name("2026-11-21T15-04-05Z-10"));
  for (auto bad : {"", "2026-11-21T15:04:05Z", "2026-11-21T15-04-05", "2026-13-01T00-00-00Z",
                   "2026-02-30T00-00-00Z", "2026-11-21T24-00-00Z", "2026-11-21T15-04-05Z-1",
                   "2026-11-21T15-04-05Z-02", "2026-11-21T15-04-05Z-", "2026-11-21T15-04-05Z-x",
                   "2026-11-21T15-04-05Zjunk", "../2026-11-21T15-04-05Z", "manifest.json"}) {
    INFO(bad);
    CHECK_FALSE(parse_set_directory_name(bad));
  }
}

TEST_CASE("vault directories are the vault host", "[key_backup]") {
  CHECK(*vault_directory_name("https://myvault.vault.azure.net") == "myvault.vault.azure.net");
  CHECK(*vault_directory_name("https://MyVault.vault.azure.net:443/") == "myvault.vault.azure.net");
  CHECK(*vault_directory_name("http://127.0.0.1:8081") == "127.0.0.1_8081");
  CHECK(*vault_directory_name("https://[::1]:8443") == "__1_8443");
  auto bad = vault_directory_name("myvault");
  REQUIRE_FALSE(bad);
  CHECK(error_text(bad.error()).find("invalid URL \"myvault\"") == 0);
  CHECK(*vault_directory("/backups", "https://v.vault.azure.net") ==
        std::filesystem::path{"/backups/v.vault.azure.net"});
}

TEST_CASE("key names outside [0-9a-zA-Z-]{1,127} are refused", "[key_backup]") {
  CHECK_FALSE(check_key_name("signing-Key-01"));
  CHECK_FALSE(check_key_name(std::string(127, 'a')));
  auto msg = [](std::string_view name) {
    auto err = check_key_name(name);
    REQUIRE(err);
    return error_text(err);
  };
  CHECK(msg("") == "invalid key name \"\": empty");
  CHECK(msg(std::string(128, 'a')) ==
        "invalid key name \"" + std::string(128, 'a') + "\": longer than 127 characters");
  CHECK(msg("../etc") ==
        "invalid key name \"../etc\": Key Vault key names hold only 0-9, a-z, A-Z and '-'");
  CHECK(msg("a/b").find("invalid key name \"a/b\"") == 0);
  CHECK(msg("..").find("invalid key name \"..\"") == 0);
  CHECK(msg(std::string_view{"a\0b", 3}).find("invalid key name \"a\\x00b\"") == 0);
  CHECK(msg("key name").find("invalid key name \"key name\"") == 0);
  CHECK(msg("k\xc3\xa9").find("invalid key name \"k\\xc3\\xa9\"") == 0);
  CHECK(msg("a.b").find("invalid key name") == 0);
  CHECK(key_file_name("k1", false) == "k1.kvbackup");
  CHECK(key_file_name("k1", true) == "k1.kvbackup.enc");
}
