#include "clients/base64url.hpp"
#include "clients/error.hpp"
#include "clients/keyvault/key_requests.hpp"
#include "clients/keyvault/key_responses.hpp"
#include "clients/keyvault/pager.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace bulkd;
using namespace bulkd::keyvault;

namespace {

http_response ok(std::string body, int status = 200) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

template <class T>
std::string failure(const caf::expected<T>& r) {
  REQUIRE_FALSE(r);
  return render(r.error());
}

// CreateKey-example.json (7.5), n shortened.
constexpr const char* create_key_response = R"({
  "key": {"kid": "https://myvault.vault.azure.net/keys/CreateSoftKeyTest/78deebed173b48e48f55abf87ed4cf71",
          "kty": "RSA", "key_ops": ["encrypt","decrypt","sign","verify","wrapKey","unwrapKey"],
          "n": "2HJAE5fU3Cw2Rt9hEuq", "e": "AQAB"},
  "attributes": {"enabled": true, "created": 1493942451, "updated": 1493942451,
                 "recoveryLevel": "Recoverable+Purgeable"},
  "tags": {"purpose": "unit test"}})";

// DeleteKey-example.json (2025-07-01), n shortened.
constexpr const char* delete_key_response = R"({
  "recoveryId": "https://myvault.vault.azure.net/deletedkeys/CreateSoftKeyTest",
  "deletedDate": 1493942452, "scheduledPurgeDate": 1501718452,
  "key": {"kid": "https://myvault.vault.azure.net/keys/CreateSoftKeyTest/78deebed173b48e48f55abf87ed4cf71",
          "kty": "RSA", "key_ops": ["encrypt","decrypt","sign","verify","wrapKey","unwrapKey"],
          "n": "2HJAE5fU3Cw2Rt9hEuq", "e": "AQAB"},
  "attributes": {"enabled": true, "created": 1493942451, "updated": 1493942451,
                 "recoveryLevel": "Recoverable+Purgeable"},
  "tags": {"purpose": "unit test", "test name ": "CreateGetDeleteKeyTest"}})";

// GetKeys-example.json (7.5).
constexpr const char* list_keys_response = R"({
  "value": [{"kid": "https://myvault.vault.azure.net/keys/sdktestkey",
             "attributes": {"enabled": true, "created": 1493937656, "updated": 1493937656,
                            "recoveryLevel": "Recoverable+Purgeable"}}],
  "nextLink": "https://myvault.vault.azure.net:443/keys?api-version=7.2&$skiptoken=eyJOZXh0TWFya2VyIjoiMiE4OCFNREF3TURJeUlYTmxZM0psZEM5TVNWTlVVMFZEVWtWVVZFVlRWREVoTURBd01ESTRJVEl3TVRZdE1USXRNVGxVTWpNNk1UQTZORFV1T0RneE9ERXhNRm9oIiwiVGFyZ2V0TG9jYXRpb24iOjB9&maxresults=1"})";

} // namespace

TEST_CASE("a KeyBundle parses into key properties", "[keyvault][parse]") {
  auto key = parse_key(ok(create_key_response));
  REQUIRE(key);
  CHECK(key->kid ==
        "https://myvault.vault.azure.net/keys/CreateSoftKeyTest/78deebed173b48e48f55abf87ed4cf71");
  CHECK(key->id == key_identifier{"https://myvault.vault.azure.net", "keys", "CreateSoftKeyTest",
                                  "78deebed173b48e48f55abf87ed4cf71"});
  CHECK(key->kty == "RSA");
  CHECK(key->key_ops ==
        std::vector<std::string>{"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"});
  CHECK(key->attributes.enabled == true);
  CHECK(key->attributes.created == 1493942451);
  CHECK(key->attributes.updated == 1493942451);
  CHECK_FALSE(key->attributes.expires);
  CHECK_FALSE(key->attributes.not_before);
  CHECK(key->attributes.recovery_level == "Recoverable+Purgeable");
  CHECK(key->tags == std::map<std::string, std::string>{{"purpose", "unit test"}});
  CHECK_FALSE(key->managed);
}

TEST_CASE("all attributes, managed keys and numeric strings", "[keyvault][parse]") {
  auto key =
      parse_key(ok(R"({"key":{"kid":"https://v.vault.azure.net:8443/keys/k/abc","kty":"EC-HSM"},
    "attributes":{"enabled":false,"nbf":631180800,"exp":"662716800","created":1,"updated":2,
                  "recoverableDays":7,"recoveryLevel":"CustomizedRecoverable+Purgeable","exportable":true,
                  "hsmPlatform":"2","attestation":{"version":"1"}},
    "tags":null,"managed":true,"release_policy":{"data":"x"}})"));
  REQUIRE(key);
  CHECK(key->id.vault_url == "https://v.vault.azure.net:8443");
  CHECK(key->id.version == "abc");
  CHECK(key->kty == "EC-HSM");
  CHECK(key->key_ops.empty());
  CHECK(key->attributes.enabled == false);
  CHECK(key->attributes.not_before == 631180800);
  CHECK(key->attributes.expires == 662716800);
  CHECK(key->attributes.recoverable_days == 7);
  CHECK(key->attributes.recovery_level == "CustomizedRecoverable+Purgeable");
  CHECK(key->attributes.exportable == true);
  CHECK(key->tags.empty());
  CHECK(key->managed);
}

TEST_CASE("a DeletedKeyBundle parses", "[keyvault][parse]") {
  auto deleted = parse_deleted_key(ok(delete_key_response));
  REQUIRE(deleted);
  CHECK(deleted->recovery_id == "https://myvault.vault.azure.net/deletedkeys/CreateSoftKeyTest");
  CHECK(deleted->deleted_date == 1493942452);
  CHECK(deleted->scheduled_purge_date == 1501718452);
  CHECK(deleted->key.id.name == "CreateSoftKeyTest");
  CHECK(deleted->key.tags.at("test name ") == "CreateGetDeleteKeyTest");
  // Without soft delete there is no recoveryId.
  auto plain = parse_deleted_key(ok(create_key_response));
  REQUIRE(plain);
  CHECK(plain->recovery_id.empty());
  CHECK_FALSE(plain->deleted_date);
}

TEST_CASE("a list page parses with its nextLink", "[keyvault][parse][paging]") {
  auto page = parse_key_list(ok(list_keys_response));
  REQUIRE(page);
  REQUIRE(page->items.size() == 1);
  auto& item = page->items[0];
  CHECK(item.kid == "https://myvault.vault.azure.net/keys/sdktestkey");
  CHECK(item.id.name == "sdktestkey");
  CHECK(item.id.version.empty());
  CHECK(item.kty.empty());
  CHECK(item.attributes.created == 1493937656);
  REQUIRE(page->next_link);
  CHECK(page->next_link->starts_with("https://myvault.vault.azure.net:443/keys?api-version=7.2&"));
  // Last pages: nextLink null or absent.
  auto last = parse_key_list(ok(R"({"value":[],"nextLink":null})"));
  REQUIRE(last);
  CHECK(last->items.empty());
  CHECK_FALSE(last->next_link);
  auto absent = parse_key_list(ok(R"({"value":[]})"));
  REQUIRE(absent);
  CHECK_FALSE(absent->next_link);
  // Versions carry the version in the kid.
  auto versions = parse_key_list(ok(R"({"value":[
      {"kid":"https://myvault.vault.azure.net/keys/k/1111","attributes":{"enabled":true},"managed":true},
      {"kid":"https://myvault.vault.azure.net/keys/k/2222","attributes":{"enabled":false},"tags":{"a":"b"}}]})"));
  REQUIRE(versions);
  REQUIRE(versions->items.size() == 2);
  CHECK(versions->items[0].id.version == "1111");
  CHECK(versions->items[0].managed);
  CHECK(versions->items[1].id.version == "2222");
  CHECK(versions->items[1].tags.at("a") == "b");
}

TEST_CASE("a deleted-key list page parses", "[keyvault][parse][paging]") {
  auto page = parse_deleted_key_list(ok(R"({"value":[{"kid":"https://v.vault.azure.net/keys/gone",
    "recoveryId":"https://v.vault.azure.net/deletedkeys/gone","deletedDate":10,"scheduledPurgeDate":"20"}],
    "nextLink":null})"));
  REQUIRE(page);
  REQUIRE(page->items.size() == 1);
  CHECK(page->items[0].key.id.name == "gone");
  CHECK(page->items[0].scheduled_purge_date == 20);
}

TEST_CASE("following nextLink across empty pages until there is none", "[keyvault][paging]") {
  auto v = make_vault("https://myvault.vault.azure.net", "7.5");
  REQUIRE(v);
  // A fake vault: target → body. The first page is empty but has a nextLink (seen on the real
  // service, azure-sdk-for-go#10711), so is the third.
  std::map<std::string, std::string> pages{
      {"/keys?api-version=7.5&maxresults=2",
       R"({"value":[],"nextLink":"https://myvault.vault.azure.net:443/keys?api-version=7.5&$skiptoken=p2&maxresults=2"})"},
      {"/keys?api-version=7.5&$skiptoken=p2&maxresults=2",
       R"({"value":[{"kid":"https://myvault.vault.azure.net/keys/a"},{"kid":"https://myvault.vault.azure.net/keys/b"}],
        "nextLink":"https://myvault.vault.azure.net/keys?$skiptoken=p3"})"},
      {"/keys?$skiptoken=p3&api-version=7.5",
       R"({"value":[],"nextLink":"https://myvault.vault.azure.net/keys?api-version=7.5&$skiptoken=p4"})"},
      {"/keys?api-version=7.5&$skiptoken=p4",
       R"({"value":[{"kid":"https://myvault.vault.azure.net/keys/c"}],"nextLink":null})"},
  };
  std::vector<std::string> names;
  int requests = 0;
  pager paging{*v};
  auto first = list_keys(*v, 2);
  REQUIRE(first);
  std::optional<http_request> req = *first;
  while (req) {
    ++requests;
    REQUIRE(requests < 10);
    INFO(req->target);
    REQUIRE(pages.count(req->target) == 1);
    auto page = parse_key_list(ok(pages[req->target]));
    REQUIRE(page);
    for (auto& k : page->items)
      names.push_back(k.id.name);
    auto next = paging.next(page->next_link);
    REQUIRE(next);
    req = std::move(*next);
  }
  CHECK(paging.pages() == 4);
  CHECK(requests == 4);
  CHECK(names == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("backup values decode to bytes", "[keyvault][parse]") {
  std::string blob = "&AzureKeyVaultKeyBackupV1.microsoft.com";
  blob += std::string{"\x00\x01\xfe\xff", 4};
  auto bytes = parse_backup(ok(R"({"value":")" + base64url_encode(blob) + R"("})"));
  REQUIRE(bytes);
  CHECK(*bytes == blob);
  // The start of BackupKey-example.json's value.
  auto example =
      parse_backup(ok(R"({"value":"JkF6dXJlS2V5VmF1bHRLZXlCYWNrdXBWMS5taWNyb3NvZnQuY29t"})"));
  REQUIRE(example);
  CHECK(*example == "&AzureKeyVaultKeyBackupV1.microsoft.com");
}

TEST_CASE("purge answers 204", "[keyvault][parse]") {
  CHECK_FALSE(check_purged(ok("", 204)));
  CHECK(render(check_purged(
            ok(R"({"error":{"code":"KeyNotFound","message":"Deleted Key not found: k"}})", 404))) ==
        "not_found: Key Vault answered 404 KeyNotFound: Deleted Key not found: k");
}

TEST_CASE("error statuses become the service's error", "[keyvault][parse]") {
  auto not_found =
      R"({"error":{"code":"KeyNotFound","message":"A key with (name/id) k was not found in this key vault."}})";
  CHECK(failure(parse_key(ok(not_found, 404))) ==
        "not_found: Key Vault answered 404 KeyNotFound: A key with (name/id) k was not found in "
        "this key vault.");
  CHECK(
      failure(parse_backup(ok(
          R"({"error":{"code":"Forbidden","message":"Operation \"backup\" is not allowed on this Key, since it is associated with a certificate."}})",
          403))) ==
      "unauthorized: Key Vault answered 403 Forbidden: Operation \"backup\" is not allowed on "
      "this Key, since it is associated with a certificate.");
  CHECK(
      failure(parse_key_list(ok(R"({"error":{"code":"Throttled","message":"slow down"}})", 429))) ==
      "overloaded: Key Vault answered 429 Throttled: slow down");
  CHECK(failure(parse_deleted_key(ok(R"({"error":{"code":"Conflict","message":"c"}})", 409))) ==
        "conflict: Key Vault answered 409 Conflict: c");
  // 204 where a body is due is not success either.
  CHECK(failure(parse_key(ok("", 204))) == "http_error: Key Vault answered 204: (empty body)");
}

TEST_CASE("malformed bodies name the offending field", "[keyvault][parse]") {
  auto key = [](std::string body) { return failure(parse_key(ok(std::move(body)))); };
  auto list = [](std::string body) { return failure(parse_key_list(ok(std::move(body)))); };
  CHECK(key("not json") == "parse_error: Key Vault response: body is not JSON");
  CHECK(key("[1]") == "parse_error: Key Vault response: body is not a JSON object");
  CHECK(key("{}") == "parse_error: Key Vault response: key: missing");
  CHECK(key(R"({"key":[]})") == "parse_error: Key Vault response: key: expected an object");
  CHECK(key(R"({"key":{}})") == "parse_error: Key Vault response: key.kid: missing");
  CHECK(key(R"({"key":{"kid":5}})") ==
        "parse_error: Key Vault response: key.kid: expected a string");
  CHECK(key(R"({"key":{"kid":"https://v.vault.azure.net/secrets/s/1"}})") ==
        "parse_error: Key Vault response: key.kid: invalid key identifier "
        "\"https://v.vault.azure.net/secrets/s/1\": expected the path /keys/{name}[/{version}] or "
        "/deletedkeys/{name}");
  CHECK(key(R"({"key":{"kid":"https://v.vault.azure.net/keys/a/b/c"}})") ==
        "parse_error: Key Vault response: key.kid: invalid key identifier "
        "\"https://v.vault.azure.net/keys/a/b/c\": too many path segments");
  CHECK(key(R"({"key":{"kid":"https://v.vault.azure.net/deletedkeys/a"}})") ==
        "parse_error: Key Vault response: key.kid: expected a /keys/ identifier");
  CHECK(key(R"({"key":{"kid":"not a url"}})") ==
        "parse_error: Key Vault response: key.kid: invalid key identifier \"not a url\": not an "
        "http(s) URL");
  CHECK(key(R"({"key":{"kid":"https://v.vault.azure.net/keys/k","key_ops":"sign"}})") ==
        "parse_error: Key Vault response: key.key_ops: expected an array");
  CHECK(key(R"({"key":{"kid":"https://v.vault.azure.net/keys/k","key_ops":[1]}})") ==
        "parse_error: Key Vault response: key.key_ops: expected an array of strings");
  CHECK(
      key(R"({"key":{"kid":"https://v.vault.azure.net/keys/k"},"attributes":{"created":"yesterday"}})") ==
      "parse_error: Key Vault response: attributes.created: expected an integer");
  CHECK(
      key(R"({"key":{"kid":"https://v.vault.azure.net/keys/k"},"attributes":{"enabled":"yes"}})") ==
      "parse_error: Key Vault response: attributes.enabled: expected true or false");
  CHECK(key(R"({"key":{"kid":"https://v.vault.azure.net/keys/k"},"attributes":[]})") ==
        "parse_error: Key Vault response: attributes: expected an object");
  CHECK(key(R"({"key":{"kid":"https://v.vault.azure.net/keys/k"},"tags":{"a":1}})") ==
        "parse_error: Key Vault response: tags.a: expected a string");
  CHECK(key(R"({"key":{"kid":"https://v.vault.azure.net/keys/k"},"managed":"true"})") ==
        "parse_error: Key Vault response: managed: expected true or false");
  CHECK(
      failure(parse_deleted_key(ok(
          R"({"key":{"kid":"https://v.vault.azure.net/keys/k"},"recoveryId":"https://v.vault.azure.net/keys/k"})"))) ==
      "parse_error: Key Vault response: recoveryId: expected https://{vault}/deletedkeys/{name}, "
      "got \"https://v.vault.azure.net/keys/k\"");
  CHECK(list(R"({"value":{}})") == "parse_error: Key Vault response: value: expected an array");
  CHECK(list(R"({"value":[{"kid":"https://v.vault.azure.net/keys/a"},7]})") ==
        "parse_error: Key Vault response: value[1]: expected an object");
  CHECK(list(R"({"value":[{"attributes":{}}]})") ==
        "parse_error: Key Vault response: value[0].kid: missing");
  CHECK(list(R"({"value":[],"nextLink":5})") ==
        "parse_error: Key Vault response: nextLink: expected a string");
  auto backup = [](std::string body) { return failure(parse_backup(ok(std::move(body)))); };
  CHECK(backup("{}") == "parse_error: Key Vault response: value: missing");
  CHECK(backup(R"({"value":""})") == "parse_error: Key Vault response: value: empty backup blob");
  CHECK(backup(R"({"value":42})") == "parse_error: Key Vault response: value: expected a string");
  CHECK(backup(R"({"value":"abc="})")
            .starts_with("parse_error: Key Vault response: value: not base64url: "));
}

TEST_CASE("key identifiers", "[keyvault][parse]") {
  auto id = parse_key_identifier("https://myvault.vault.azure.net/keys/k1/");
  REQUIRE(id);
  CHECK(*id == key_identifier{"https://myvault.vault.azure.net", "keys", "k1", ""});
  auto local = parse_key_identifier("http://127.0.0.1:8081/deletedkeys/k1");
  REQUIRE(local);
  CHECK(*local == key_identifier{"http://127.0.0.1:8081", "deletedkeys", "k1", ""});
  auto v6 = parse_key_identifier("https://[::1]/keys/k1/v1");
  REQUIRE(v6);
  CHECK(v6->vault_url == "https://[::1]");
  auto reason = [](std::string_view s) {
    auto r = parse_key_identifier(s);
    REQUIRE_FALSE(r);
    return render(r.error());
  };
  CHECK(reason("https://v.vault.azure.net/keys") ==
        "parse_error: invalid key identifier \"https://v.vault.azure.net/keys\": expected the path "
        "/keys/{name}[/{version}] or /deletedkeys/{name}");
  CHECK(reason("https://v.vault.azure.net/keys//1") ==
        "parse_error: invalid key identifier \"https://v.vault.azure.net/keys//1\": empty path "
        "segment");
  CHECK(reason("https://v.vault.azure.net/deletedkeys/k/1") ==
        "parse_error: invalid key identifier \"https://v.vault.azure.net/deletedkeys/k/1\": "
        "expected the path /deletedkeys/{name}");
  CHECK(reason("https://v.vault.azure.net/keys/k?x=1") ==
        "parse_error: invalid key identifier \"https://v.vault.azure.net/keys/k?x=1\": unexpected "
        "query");
}

TEST_CASE("a list that never ends is stopped", "[keyvault][paging]") {
  auto v = make_vault("https://myvault.vault.azure.net", "7.5");
  REQUIRE(v);
  pager repeat{*v};
  std::optional<std::string> link = "https://myvault.vault.azure.net/keys?$skiptoken=same";
  auto first = repeat.next(link);
  REQUIRE(first);
  REQUIRE(*first);
  CHECK((*first)->target == "/keys?$skiptoken=same&api-version=7.5");
  auto again = repeat.next(link);
  REQUIRE_FALSE(again);
  CHECK(render(again.error()) ==
        "parse_error: nextLink \"https://myvault.vault.azure.net/keys?$skiptoken=same\" was "
        "already followed (the list would never end)");
  pager bounded{*v, 3};
  REQUIRE(bounded.next(std::string{"https://myvault.vault.azure.net/keys?$skiptoken=1"}));
  REQUIRE(bounded.next(std::string{"https://myvault.vault.azure.net/keys?$skiptoken=2"}));
  auto third = bounded.next(std::string{"https://myvault.vault.azure.net/keys?$skiptoken=3"});
  REQUIRE_FALSE(third);
  CHECK(render(third.error()) == "parse_error: list did not end after 3 pages");
  pager elsewhere{*v};
  auto evil = elsewhere.next(std::string{"https://evil.example.com/keys"});
  REQUIRE_FALSE(evil);
  CHECK(render(evil.error()) == "parse_error: nextLink \"https://evil.example.com/keys\" leaves "
                                "the vault myvault.vault.azure.net:443");
  auto done = elsewhere.next(std::nullopt);
  REQUIRE(done);
  CHECK_FALSE(*done);
}
