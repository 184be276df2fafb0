// Random and mutated Key Vault answers: a value or an error, never a crash.

#include "clients/keyvault/key_responses.hpp"
#include "clients/keyvault/retry_after.hpp"
#include "clients/keyvault/service_error.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace bulkd;
using namespace bulkd::keyvault;

TEST_CASE("mutated Key Vault answers", "[keyvault][garbage]") {
  std::mt19937 rng{7};
  const std::string bodies[] = {
      R"({"value":[{"kid":"https://v.vault.azure.net/keys/a","attributes":{"enabled":true,"created":1},"tags":{"a":"b"},"managed":false}],"nextLink":"https://v.vault.azure.net/keys?$skiptoken=1"})",
      R"({"key":{"kid":"https://v.vault.azure.net/keys/a/1","kty":"RSA","key_ops":["sign"]},"attributes":{"exp":"5"},"recoveryId":"https://v.vault.azure.net/deletedkeys/a"})",
      R"({"value":"JkF6dXJlS2V5VmF1bHRLZXlCYWNrdXBWMS5taWNyb3NvZnQuY29t"})",
      R"({"error":{"code":"KeyNotFound","message":"m","innererror":{"code":"x"}}})"};
  static constexpr char alphabet[] = "\"{}[],:0aZ/-_=\\\x00\xff";
  int ok = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string s = bodies[i % 4];
    for (int e = 0; e < 3; ++e) {
      auto pos = rng() % s.size();
      if (rng() % 2)
        s[pos] = alphabet[rng() % (sizeof(alphabet) - 1)];
      else
        s.erase(pos, 1);
    }
    http_response resp;
    resp.status = i % 5 == 0 ? 404 : 200;
    resp.body = s;
    ok += parse_key_list(resp) ? 1 : 0;
    ok += parse_key(resp) ? 1 : 0;
    ok += parse_deleted_key(resp) ? 1 : 0;
    ok += parse_backup(resp) ? 1 : 0;
    (void)parse_service_error(resp);
    (void)parse_retry_after(s.substr(0, 30), std::chrono::system_clock::now());
  }
  CHECK(ok > 0);
}
