#include "clients/error.hpp"
#include "clients/identity/token.hpp"
#include "clients/identity/token_response.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>
#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::identity;
using namespace std::chrono;

namespace {

const seconds_clock_time t0 = sys_days{year{2026} / November / 21} + hours{14};

http_response answer(int status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http_request sent_secret() {
  http_request req;
  req.method = "POST";
  req.origin = "https://login.microsoftonline.com:443";
  req.target = "/tenant-1/oauth2/v2.0/token";
  req.body = "grant_type=client_credentials&client_id=app&client_secret=s3cr%2Bet-Value&scope=x";
  return req;
}

std::string failure(const http_response& resp, const http_request& sent = sent_secret()) {
  auto r = parse_token_response("client-secret credential", sent, resp, t0);
  REQUIRE_FALSE(r);
  return render(r.error());
}

} // namespace

TEST_CASE("tokens are refreshed ahead of expiry", "[identity][token]") {
  SECTION("a 1 h token: after half its lifetime") {
    auto t = make_token("abc", "Bearer", t0, t0 + hours{1});
    CHECK(t.refresh_on == t0 + minutes{30});
    CHECK_FALSE(t.needs_refresh(t0 + minutes{29}));
    CHECK(t.needs_refresh(t0 + minutes{30}));
    CHECK_FALSE(t.expired(t0 + minutes{59}));
    CHECK(t.expired(t0 + minutes{59} + seconds{30}));
  }
  SECTION("an 8 min token: 5 min before expiry") {
    auto t = make_token("abc", "bearer", t0, t0 + minutes{8});
    CHECK(t.type == "Bearer");
    CHECK(t.refresh_on == t0 + minutes{3});
  }
  SECTION("a 2 min token: at once") {
    auto t = make_token("abc", "Bearer", t0, t0 + minutes{2});
    CHECK(t.refresh_on == t0);
    CHECK(t.needs_refresh(t0));
  }
  SECTION("the service's refresh_in when earlier") {
    auto t = make_token("abc", "Bearer", t0, t0 + hours{24}, seconds{3600});
    CHECK(t.refresh_on == t0 + hours{1});
    auto later = make_token("abc", "Bearer", t0, t0 + hours{1}, hours{2});
    CHECK(later.refresh_on == t0 + minutes{30});
  }
  SECTION("authorize sets the header") {
    http_request req;
    authorize(req, make_token("tok", "Bearer", t0, t0 + hours{1}));
    CHECK(req.headers.value("Authorization") == "Bearer tok");
  }
}

TEST_CASE("AAD token answers", "[identity][token]") {
  // From the reference (§2.4, recorded service traffic).
  auto t = parse_token_response(
      "client-secret credential", sent_secret(),
      answer(
          200,
          R"({"token_type":"Bearer","expires_in":86399,"ext_expires_in":86399,"access_token":"eyJ0eXAi"})"),
      t0);
  REQUIRE(t);
  CHECK(t->value == "eyJ0eXAi");
  CHECK(t->type == "Bearer");
  CHECK(t->obtained == t0);
  CHECK(t->expires_on == t0 + seconds{86399});
  CHECK(t->refresh_on == t0 + seconds{43199});
}

TEST_CASE("IMDS and App Service answers: numbers as strings, expires_on", "[identity][token]") {
  http_request imds;
  imds.origin = "http://169.254.169.254:80";
  imds.target = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x";
  auto as_strings = parse_token_response(
      "managed-identity credential", imds,
      answer(
          200,
          R"({"access_token":"eyJ0eXAi","client_id":"c","expires_in":"3599","expires_on":"1506484173","ext_expires_in":"3599","not_before":"1506480273","resource":"https://vault.azure.net","token_type":"Bearer"})"),
      t0);
  REQUIRE(as_strings);
  CHECK(as_strings->expires_on == t0 + seconds{3599});
  auto only_expires_on = parse_token_response(
      "managed-identity credential", imds,
      answer(200, R"({"access_token":"a","expires_on":)" +
                      std::to_string((t0 + hours{1}).time_since_epoch().count()) + "}"),
      t0);
  REQUIRE(only_expires_on);
  CHECK(only_expires_on->expires_on == t0 + hours{1});
  CHECK(only_expires_on->type == "Bearer");
  auto http_date = parse_token_response(
      "managed-identity credential", imds,
      answer(
          200,
          R"({"access_token":"a","expires_on":"Sat, 21 Nov 2026 15:00:00 GMT","token_type":"bearer"})"),
      t0);
  REQUIRE(http_date);
  CHECK(http_date->expires_on == t0 + hours{1});
  CHECK(http_date->type == "Bearer");
}

TEST_CASE("unusable token answers are refused with a reason", "[identity][token]") {
  const std::string head =
      "parse_error: client-secret credential: token request POST "
      "https://login.microsoftonline.com:443/tenant-1/oauth2/v2.0/token: unusable answer: ";
  CHECK(failure(answer(200, "<html>")) == head + "not a JSON object");
  CHECK(failure(answer(200, R"({"expires_in":3600})")) == head + "no access_token");
  CHECK(failure(answer(200, R"({"access_token":"","expires_in":3600})")) ==
        head + "no access_token");
  CHECK(failure(answer(200, R"({"access_token":"a"})")) ==
        head + "neither expires_in nor expires_on");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_in":"soon"})")) ==
        head + "expires_in is not a number");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_in":0})")) ==
        head + "expires_in 0 is out of range");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_in":9223372036854775807})")) ==
        head + "expires_in 9223372036854775807 is out of range");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_in":-1e300})")) ==
        head + "expires_in is not a number");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_on":9223372036854775807})")) ==
        head + "expires_on is neither Unix seconds nor an HTTP date");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_on":"4102444800"})")) ==
        head + "expires_on is more than 10 years ahead");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_on":"tomorrow"})")) ==
        head + "expires_on is neither Unix seconds nor an HTTP date");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_on":1000})")) ==
        head + "the token has already expired");
  CHECK(failure(answer(200, R"({"access_token":"a","expires_in":60,"token_type":"pop"})")) ==
        head + "token_type \"pop\" is not Bearer");
}

TEST_CASE("AAD errors say what went wrong", "[identity][token]") {
  const std::string head = "client-secret credential: token request POST "
                           "https://login.microsoftonline.com:443/tenant-1/oauth2/v2.0/token "
                           "failed with ";
  CHECK(
      failure(answer(
          401,
          R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2023-05-06 06:03:00Z","error_codes":[7000215],"timestamp":"2023-05-06 06:03:00Z"})")) ==
      "unauthorized: " + head +
          "401: invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret "
          "being sent in the request is the client secret value, not the client secret ID. Trace "
          "ID: 1 Correlation ID: 2 Timestamp: 2023-05-06 06:03:00Z");
  CHECK(failure(answer(400, R"({"error":"invalid_scope","error_codes":[1002012, 70011]})")) ==
        "unauthorized: " + head + "400: invalid_scope (AADSTS1002012,70011)");
  CHECK(failure(answer(
            400, R"({"error":"invalid_request","error_description":"Identity not found"})")) ==
        "unauthorized: " + head + "400: invalid_request: Identity not found");
  CHECK(
      failure(answer(
          500,
          R"({"statusCode":500,"message":"An unexpected error occured while fetching the AAD Token."})")) ==
      "http_error: " + head + "500: An unexpected error occured while fetching the AAD Token.");
  CHECK(failure(answer(429, "")) == "overloaded: " + head + "429: (empty body)");
  CHECK(failure(answer(502, "<html>bad\ngateway</html>")) ==
        "http_error: " + head + "502: (unexpected body) <html>bad gateway</html>");
}

TEST_CASE("secrets never appear in token errors", "[identity][token][secrets]") {
  // A misbehaving endpoint echoes the request; the secret must not reach the message.
  for (auto body :
       {std::string{
            R"({"error":"invalid_client","error_description":"got client_secret=s3cr+et-Value"})"},
        std::string{R"({"error":"invalid_client","error_description":"got s3cr%2Bet-Value"})"},
        std::string{"echo: client_secret=s3cr+et-Value"}}) {
    auto msg = failure(answer(401, body));
    CHECK(msg.find("s3cr") == std::string::npos);
    CHECK(msg.find("[redacted]") != std::string::npos);
  }
  auto msg = failure(answer(200, R"({"access_token":"a","expires_in":"s3cr+et-Value"})"));
  CHECK(msg.find("s3cr") == std::string::npos);
  // The App Service identity header too.
  http_request mi;
  mi.origin = "http://127.0.0.1:41234";
  mi.target = "/msi/token?api-version=2019-08-01";
  mi.headers.set("X-IDENTITY-HEADER", "hdr-secret-123");
  auto echoed = failure(answer(400, R"({"message":"bad header hdr-secret-123"})"), mi);
  CHECK(echoed.find("hdr-secret-123") == std::string::npos);
  // And the target's query is not in messages (describe() leaves it out).
  CHECK(echoed.find("api-version") == std::string::npos);
}

TEST_CASE("tokens travel in messages but never print their value", "[identity][token][secrets]") {
  auto t = make_token("SECRETVALUE", "Bearer", t0, t0 + hours{1});
  auto printed = caf::deep_to_string(t);
  CHECK(printed.find("SECRETVALUE") == std::string::npos);
  CHECK(printed.find("[redacted]") != std::string::npos);
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  REQUIRE_FALSE(sink(t));
  token back;
  caf::binary_deserializer source{nullptr, buf};
  REQUIRE_FALSE(source(back));
  CHECK(back == t);
}
