#pragma once

// The fixed documents the query tests run against.

#include <nlohmann/json.hpp>

#include <vector>

namespace bulkd::emulator::cosmos::sql::test {

inline std::vector<nlohmann::json> documents() {
  return {
      nlohmann::json::parse(R"({"id":"1","pk":"p1","v":10,"name":"Alice","tags":["a","b"],
                              "nested":{"x":1,"y":{"z":"deep"}},"a b":"space","flag":true})"),
      nlohmann::json::parse(R"({"id":"2","pk":"p1","v":3,"name":"bob","nested":{"x":2},
                              "flag":false})"),
      nlohmann::json::parse(R"({"id":"3","pk":"p2","v":3.0,"name":"Carol","score":null})"),
      nlohmann::json::parse(R"({"id":"4","pk":"p2","v":"10","name":"dave"})"),
      nlohmann::json::parse(R"({"id":"5","pk":"p3","name":"\u00c9mile"})"),
      nlohmann::json::parse(R"({"id":"6","pk":"p3","v":-2.5,"name":"alice"})"),
  };
}

// The two items of the JS SDK captures (shared/reference/sdk-captures/11-15), with the system
// properties the server returned.
inline std::vector<nlohmann::json> capture_documents() {
  return {
      nlohmann::json::parse(
          R"({"id":"i1","pk":"p1","v":10,"_etag":"c5ffcb5e-b35a-41bb-8f17-212af6dcd663",
          "_rid":"gAABAIAAAAEBAAAAAAAAAA==",
          "_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEBAAAAAAAAAA==/",
          "_ts":1795263846})"),
      nlohmann::json::parse(
          R"({"id":"i2","pk":"p1","v":3,"_etag":"1ece5f85-4d10-4f3b-bcaf-8316a8809fed",
          "_rid":"gAABAIAAAAECAAAAAAAAAA==",
          "_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAECAAAAAAAAAA==/",
          "_ts":1795263846})"),
  };
}

} // namespace bulkd::emulator::cosmos::sql::test
