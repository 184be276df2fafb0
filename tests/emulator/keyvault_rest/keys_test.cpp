#include "kv_server.hpp"

#include <regex>

using namespace kv_test;

TEST_CASE("key vault: create keys of every type", "[keyvault_rest][keys]") {
  kv_server s;
  kv_client c{s};
  struct kind {
    json request;
    std::vector<std::string> fields; // public JWK fields besides kid, kty, key_ops
  };
  std::vector<kind> kinds{
      {{{"kty", "RSA"}, {"key_size", 2048}}, {"n", "e"}},
      {{{"kty", "RSA-HSM"}}, {"n", "e"}},
      {{{"kty", "EC"}, {"crv", "P-256"}}, {"crv", "x", "y"}},
      {{{"kty", "EC-HSM"}, {"crv", "P-384"}}, {"crv", "x", "y"}},
      {{{"kty", "EC"}, {"crv", "P-521"}}, {"crv", "x", "y"}},
      {{{"kty", "EC"}, {"crv", "P-256K"}}, {"crv", "x", "y"}},
      {{{"kty", "oct"}, {"key_size", 256}}, {}},
      {{{"kty", "oct-HSM"}, {"key_size", 128}}, {}},
  };
  int i = 0;
  for (auto& k : kinds) {
    auto name = "key-" + std::to_string(i++);
    auto r = c.post("/keys/" + name + "/create", k.request);
    INFO(k.request.dump() << " -> " << r.body.dump());
    REQUIRE(r.status == 200);
    auto& key = r.body.at("key");
    CHECK(key.at("kty") == k.request.at("kty"));
    CHECK(std::regex_match(key.at("kid").get<std::string>(),
                           std::regex{s.base + "/keys/" + name + "/[0-9a-f]{32}"}));
    std::set<std::string> fields;
    for (auto& [f, v] : key.items())
      fields.insert(f);
    std::set<std::string> want{"kid", "kty", "key_ops"};
    want.insert(k.fields.begin(), k.fields.end());
    CHECK(fields == want); // never d, p, q, k, ...
    auto& a = r.body.at("attributes");
    CHECK(a.at("enabled") == true);
    CHECK(a.at("created") == start_time);
    CHECK(a.at("updated") == start_time);
    CHECK(a.at("recoveryLevel") == "Recoverable+Purgeable");
    CHECK(a.at("recoverableDays") == 90);
    CHECK_FALSE(r.body.contains("tags"));
    CHECK_FALSE(r.body.contains("managed"));
  }
  auto rsa = c.get("/keys/key-0");
  REQUIRE(rsa.status == 200);
  CHECK(rsa.body.at("key").at("key_ops") ==
        json({"encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"}));
  CHECK(rsa.body.at("key").at("e") == "AQAB");
}

TEST_CASE("key vault: create with options, get latest, by version and with a trailing slash",
          "[keyvault_rest][keys]") {
  kv_server s;
  kv_client c{s};
  auto first =
      c.post("/keys/Signer/create", json{{"kty", "EC"},
                                         {"key_ops", {"sign"}},
                                         {"attributes", {{"enabled", false}, {"exp", 1800000000}}},
                                         {"tags", {{"purpose", "unit test"}}}});
  REQUIRE(first.status == 200);
  CHECK(first.body.at("key").at("key_ops") == json({"sign"}));
  CHECK(first.body.at("attributes").at("enabled") == false);
  CHECK(first.body.at("attributes").at("exp") == 1800000000);
  CHECK(first.body.at("tags") == json({{"purpose", "unit test"}}));
  s.now += 10;
  auto second = c.post("/keys/signer/create", json{{"kty", "EC"}});
  REQUIRE(second.status == 200);
  CHECK(second.body.at("key").at("kid") == s.base + "/keys/Signer/" + version_of(second.body));

  auto latest = c.get("/keys/Signer/");
  REQUIRE(latest.status == 200);
  CHECK(latest.body == second.body);
  CHECK(c.get("/keys/SIGNER").body == second.body);
  auto old = c.get("/keys/Signer/" + version_of(first.body));
  REQUIRE(old.status == 200);
  CHECK(old.body == first.body);
  CHECK(c.get("/keys/Signer/" + version_of(first.body) + "/").body == first.body);

  auto missing = c.get("/keys/nothing");
  CHECK(missing.status == 404);
  CHECK(error_code(missing) == "KeyNotFound");
  CHECK(error_message(missing) ==
        "A key with (name/id) nothing was not found in this key vault. If you recently deleted "
        "this key you may be able to recover it using the correct recovery command. For help "
        "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
  auto no_version = c.get("/keys/Signer/00000000000000000000000000000000");
  CHECK(no_version.status == 404);
  CHECK_THAT(error_message(no_version),
             Catch::StartsWith("A key with (name/id) Signer/00000000000000000000000000000000 "
                               "was not found"));
}

TEST_CASE("key vault: bad create and import requests are refused with BadParameter",
          "[keyvault_rest][keys]") {
  kv_server s;
  kv_client c{s};
  auto expect = [&](const kv_client::answer& r, const std::string& message) {
    INFO(r.body.dump());
    CHECK(r.status == 400);
    CHECK(error_code(r) == "BadParameter");
    CHECK(error_message(r) == message);
  };
  expect(c.post("/keys/k/create", std::string{"{\"kty\": "}),
         "The request body is not valid JSON.");
  expect(c.post("/keys/k/create", std::string{}),
         "The request body is empty; a JSON object is required.");
  expect(c.post("/keys/k/create", std::string{"[1]"}), "The request body must be a JSON object.");
  expect(c.post("/keys/k/create", json{{"key_size", 2048}}), "The key type (kty) is required.");
  expect(c.post("/keys/k/create", json{{"kty", "DSA"}}),
         "The key type 'DSA' is not supported; use RSA, RSA-HSM, EC, EC-HSM, oct or oct-HSM.");
  expect(c.post("/keys/k/create", json{{"kty", "RSA"}, {"key_size", "big"}}),
         "key_size must be an integer.");
  expect(c.post("/keys/k/create", json{{"kty", "EC"}, {"key_ops", {"fly"}}}),
         "Invalid key operation: \"fly\".");
  expect(c.post("/keys/k/create", json{{"kty", "EC"}, {"tags", {{"a", 1}}}}),
         "The value of tag 'a' must be a string.");
  expect(c.post("/keys/k/create", json{{"kty", "EC"}, {"attributes", {{"enabled", "yes"}}}}),
         "Invalid attributes: attributes field 'enabled' must be a boolean.");
  expect(c.post("/keys/bad_name/create", json{{"kty", "EC"}}),
         "The key name 'bad_name' is invalid: use 1 to 127 characters of 0-9, a-z, A-Z and '-'.");
  auto rsa_size = c.post("/keys/k/create", json{{"kty", "RSA"}, {"key_size", 1000}});
  CHECK(rsa_size.status == 400);
  CHECK(error_code(rsa_size) == "BadParameter");
  CHECK_FALSE(error_message(rsa_size).empty());
  expect(c.put("/keys/k", json{{"attributes", json::object()}}),
         "The key to import (key) is required.");
  auto pub = c.post("/keys/pub/create", json{{"kty", "EC"}});
  REQUIRE(pub.status == 200);
  auto public_only = pub.body.at("key");
  public_only.erase("kid");
  expect(c.put("/keys/k", json{{"key", public_only}}),
         "The key to import has no private material; Key Vault imports private keys.");
  CHECK(c.get("/keys/k").status == 404);
}

TEST_CASE("key vault: import keeps the key material and the Hsm flag", "[keyvault_rest][keys]") {
  kv_server s;
  kv_client c{s};
  auto key = kv::key_material::generate({"EC", {}, "P-384", {}});
  REQUIRE(key);
  auto jwk = key->private_jwk();
  jwk["key_ops"] = {"sign", "verify"};
  auto r = c.put("/keys/imported", json{{"key", jwk}, {"Hsm", true}, {"tags", {{"src", "t"}}}});
  REQUIRE(r.status == 200);
  auto expected = key->public_jwk();
  CHECK(r.body.at("key").at("kty") == "EC-HSM");
  CHECK(r.body.at("key").at("x") == expected.at("x"));
  CHECK(r.body.at("key").at("y") == expected.at("y"));
  CHECK(r.body.at("key").at("key_ops") == json({"sign", "verify"}));
  CHECK_FALSE(r.body.at("key").contains("d"));
  CHECK(r.body.at("tags") == json({{"src", "t"}}));
  auto again = c.put("/keys/imported", json{{"key", jwk}});
  REQUIRE(again.status == 200);
  CHECK(version_of(again.body) != version_of(r.body));
  CHECK(again.body.at("key").at("kty") == "EC");
}

TEST_CASE("key vault: update attributes, tags and key_ops of a version", "[keyvault_rest][keys]") {
  kv_server s;
  kv_client c{s};
  auto first = c.post("/keys/u/create", json{{"kty", "EC"}, {"tags", {{"a", "1"}}}});
  auto second = c.post("/keys/u/create", json{{"kty", "EC"}});
  REQUIRE(second.status == 200);
  s.now += 100;
  auto v1 = version_of(first.body);
  auto patched = c.patch("/keys/u/" + v1, json{{"key_ops", {"verify"}},
                                               {"attributes", {{"enabled", false}, {"nbf", 5}}},
                                               {"tags", {{"b", "2"}}}});
  REQUIRE(patched.status == 200);
  CHECK(version_of(patched.body) == v1);
  CHECK(patched.body.at("key").at("key_ops") == json({"verify"}));
  CHECK(patched.body.at("attributes").at("enabled") == false);
  CHECK(patched.body.at("attributes").at("nbf") == 5);
  CHECK(patched.body.at("attributes").at("created") == start_time);
  CHECK(patched.body.at("attributes").at("updated") == start_time + 100);
  CHECK(patched.body.at("tags") == json({{"b", "2"}}));
  CHECK(c.get("/keys/u/" + v1).body == patched.body);
  // The latest version is untouched; an empty version updates it.
  CHECK(c.get("/keys/u").body.at("attributes").at("enabled") == true);
  auto latest = c.patch("/keys/u/", json{{"attributes", {{"enabled", false}}}});
  REQUIRE(latest.status == 200);
  CHECK(version_of(latest.body) == version_of(second.body));
  CHECK(latest.body.at("key").at("key_ops") == json({"sign", "verify"}));
  // Only given attributes change.
  auto exp_only = c.patch("/keys/u/" + v1, json{{"attributes", {{"exp", 99}}}});
  CHECK(exp_only.body.at("attributes").at("nbf") == 5);
  CHECK(exp_only.body.at("attributes").at("exp") == 99);

  auto bad = c.patch("/keys/u/" + v1, json{{"attributes", {{"exp", "soon"}}}});
  CHECK(bad.status == 400);
  CHECK(error_message(bad) ==
        "Invalid attributes: attributes field 'exp' must be an integer (Unix seconds).");
  auto missing = c.patch("/keys/u/ffffffffffffffffffffffffffffffff", json::object());
  CHECK(missing.status == 404);
  CHECK(error_code(missing) == "KeyNotFound");
}

TEST_CASE("key vault: concurrent creates of one key all become versions", "[keyvault_rest][keys]") {
  kv_server s;
  auto token = s.token();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      kv_client c{s, token};
      for (int i = 0; i < 10; ++i) {
        auto r = c.http.Post(("/keys/shared/create?" + api).c_str(), c.headers, R"({"kty":"oct"})",
                             "application/json");
        if (r && r->status == 200)
          ++ok;
      }
    });
  for (auto& t : threads)
    t.join();
  CHECK(ok == 40);
  kv_client c{s, token};
  std::set<std::string> kids;
  auto r = c.get("/keys/shared/versions");
  for (;;) {
    REQUIRE(r.status == 200);
    for (auto& item : r.body.at("value"))
      kids.insert(item.at("kid").get<std::string>());
    if (r.body.at("nextLink").is_null())
      break;
    r = c.get_raw(r.body.at("nextLink").get<std::string>().substr(s.base.size()));
  }
  CHECK(kids.size() == 40);
}
