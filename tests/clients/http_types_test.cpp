#include "clients/error.hpp"
#include "clients/http_request.hpp"
#include "clients/http_response.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>
#include <caf/make_message.hpp>
#include <catch2/catch.hpp>

#include <vector>

using namespace bulkd;

namespace {

template <class T>
T round_trip(T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  REQUIRE(!sink(x));
  T y;
  caf::binary_deserializer source{nullptr, buf};
  REQUIRE(!source(y));
  return y;
}

} // namespace

TEST_CASE("http_headers look names up case-insensitively") {
  http_headers h{{"Content-Type", "application/json"}, {"Set-Cookie", "a=1"}};
  h.add("set-cookie", "b=2");
  CHECK(h.value("content-type") == "application/json");
  CHECK(h.value("CONTENT-TYPE") == "application/json");
  CHECK(h.find("x-ms-continuation") == nullptr);
  CHECK(h.value("x-ms-continuation", "none") == "none");
  CHECK(h.contains("SET-COOKIE"));
  CHECK(h.size() == 3);
  h.set("SET-COOKIE", "c=3");
  CHECK(h.size() == 2);
  CHECK(h.value("set-cookie") == "c=3");
  CHECK(h.erase("Content-type") == 1);
  CHECK(h.erase("content-type") == 0);
  CHECK(!h.contains("content-type"));
  CHECK(iequals("x-MS-date", "X-ms-Date"));
  CHECK(!iequals("x-ms-date", "x-ms-dat"));
}

TEST_CASE("http_request and http_response survive serialization") {
  http_request req;
  req.method = "POST";
  REQUIRE(!set_url(req, "https://127.0.0.1:8081/dbs/shop/colls/products/docs?x=1"));
  CHECK(req.origin == "https://127.0.0.1:8081");
  CHECK(req.target == "/dbs/shop/colls/products/docs?x=1");
  req.headers.add("x-ms-documentdb-partitionkey", "[\"a\"]");
  req.body = std::string("{\"id\":\"1\"}\0binary", 17);
  req.timeout = std::chrono::milliseconds{1234};
  req.tls = tls_options{"/etc/ssl/ca.pem", true};
  CHECK(round_trip(req) == req);
  CHECK(describe(req) == "POST https://127.0.0.1:8081/dbs/shop/colls/products/docs");

  http_response res;
  res.status = 429;
  res.headers.add("x-ms-retry-after-ms", "100");
  res.body = "{}";
  res.elapsed = std::chrono::microseconds{987};
  CHECK(round_trip(res) == res);

  // They can travel in messages (this needs inspect()).
  auto msg = caf::make_message(req, res);
  CHECK(msg.get_as<http_request>(0) == req);
  CHECK(msg.get_as<http_response>(1).status == 429);
  CHECK(caf::deep_to_string(res).find("429") != std::string::npos);
}

TEST_CASE("set_url rejects malformed URLs and leaves the request alone") {
  http_request req;
  req.origin = "http://keep";
  auto err = set_url(req, "mailto:someone");
  REQUIRE(err);
  CHECK(render(err) ==
        "invalid_argument: invalid URL \"mailto:someone\": missing scheme (expected http:// or "
        "https://)");
  CHECK(req.origin == "http://keep");
  CHECK(req.target == "/");
}
