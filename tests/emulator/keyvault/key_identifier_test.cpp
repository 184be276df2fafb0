#include "emulator/keyvault/key_identifier.hpp"

#include <catch2/catch.hpp>

using namespace bulkd::emulator::keyvault;

TEST_CASE("key names follow the spec's pattern", "[key_identifier]") {
  CHECK(is_valid_key_name("CreateSoftKeyTest"));
  CHECK(is_valid_key_name("a-1"));
  CHECK(is_valid_key_name(std::string(127, 'k')));
  CHECK_FALSE(is_valid_key_name(std::string(128, 'k')));
  CHECK_FALSE(is_valid_key_name(""));
  CHECK_FALSE(is_valid_key_name("under_score"));
  CHECK_FALSE(is_valid_key_name("dot.name"));
  CHECK_FALSE(is_valid_key_name("sl/ash"));
  CHECK_FALSE(is_valid_key_name("ümlaut"));
}

TEST_CASE("version ids are 32 lowercase hex digits and differ", "[key_identifier]") {
  auto a = new_key_version();
  auto b = new_key_version();
  CHECK(a.size() == 32);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
}

TEST_CASE("kids are vault URL, keys, name and version", "[key_identifier]") {
  CHECK(key_id("https://myvault.vault.azure.net", "sdktestkey") ==
        "https://myvault.vault.azure.net/keys/sdktestkey");
  CHECK(key_id("https://kv1.localhost:8443/", "k", "78deebed173b48e48f55abf87ed4cf71") ==
        "https://kv1.localhost:8443/keys/k/78deebed173b48e48f55abf87ed4cf71");
}
