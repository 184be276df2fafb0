#include "emulator/identity/token_request.hpp"

#include <catch2/catch.hpp>

using namespace bulkd::emulator::identity;
using nlohmann::json;

namespace {

token_request parse_ok(std::string_view body) {
  auto r = parse_token_request(body);
  if (auto err = std::get_if<aad_error>(&r))
    FAIL("AADSTS" << err->code << ": " << err->text);
  return std::get<token_request>(r);
}

aad_error parse_bad(std::string_view body) {
  auto r = parse_token_request(body);
  REQUIRE(std::holds_alternative<aad_error>(r));
  return std::get<aad_error>(r);
}

const aad_error_context context{"https://127.0.0.1:8443", "6f6c4645-0202-4486-b625-fa957dfc4700",
                                "5fc87507-4086-4e77-b415-cee677eb232e", 1683352980};

} // namespace

TEST_CASE("form bodies decode '+' and percent escapes", "[token_request]") {
  auto form = parse_form("a=1&b=x+y&c=%2F%2f%3D&&d&e=");
  REQUIRE(form);
  using pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(*form == pairs{{"a", "1"}, {"b", "x y"}, {"c", "//="}, {"d", ""}, {"e", ""}});
  CHECK_FALSE(parse_form("a=%2"));
  CHECK_FALSE(parse_form("a=%zz"));
  CHECK_FALSE(parse_form("a%=1"));
  CHECK(parse_form("")->empty());
}

TEST_CASE("a client secret request as @azure/identity sends it parses", "[token_request]") {
  auto request = parse_ok(
      "client_id=bulkd-dev&client_secret=bulkd-dev-secret&scope=https%3A%2F%2Fvault.azure.net%2F."
      "default&grant_type=client_credentials&x-client-SKU=msal.js.node&x-client-VER=2.16.2&x-"
      "client-"
      "OS=linux&x-client-CPU=x64&x-ms-lib-capability=retry-after,h429&x-client-current-telemetry=5|"
      "771,2,,,|@azure/identity&client-request-id=0b0d1a4e-0000-4000-8000-000000000000");
  CHECK(request.grant_type == "client_credentials");
  CHECK(request.client_id == "bulkd-dev");
  CHECK(request.client_secret == "bulkd-dev-secret");
  CHECK_FALSE(request.client_assertion);
  CHECK(request.scope == "https://vault.azure.net/.default");
  CHECK(request.audience == "https://vault.azure.net");
}

TEST_CASE("a client assertion request as azure-sdk-for-cpp sends it parses", "[token_request]") {
  auto request = parse_ok("grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%"
                          "3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_id=cert-app&scope="
                          "https%3A%2F%2Fvault.azure.net%2F.default&client_assertion=aaa.bbb.ccc");
  CHECK(request.client_assertion == "aaa.bbb.ccc");
  CHECK_FALSE(request.client_secret);
  CHECK(request.client_id == "cert-app");
}

TEST_CASE("AAD error answers have AAD's exact JSON shape", "[token_request]") {
  auto err = parse_bad("client_id=a&scope=s%2F.default&client_secret=x");
  CHECK(err.status == 400);
  CHECK(to_json(err, context) == json::parse(R"({
    "error": "invalid_request",
    "error_description": "AADSTS900144: The request body must contain the following parameter: 'grant_type'.\r\nTrace ID: 6f6c4645-0202-4486-b625-fa957dfc4700\r\nCorrelation ID: 5fc87507-4086-4e77-b415-cee677eb232e\r\nTimestamp: 2023-05-06 06:03:00Z",
    "error_codes": [900144],
    "timestamp": "2023-05-06 06:03:00Z",
    "trace_id": "6f6c4645-0202-4486-b625-fa957dfc4700",
    "correlation_id": "5fc87507-4086-4e77-b415-cee677eb232e",
    "error_uri": "https://127.0.0.1:8443/error?code=900144"})"));

  auto secret = aad_errors::invalid_secret("a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4");
  CHECK(secret.status == 401);
  CHECK(to_json(secret, context) == json::parse(R"({
    "error": "invalid_client",
    "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4'.\r\nTrace ID: 6f6c4645-0202-4486-b625-fa957dfc4700\r\nCorrelation ID: 5fc87507-4086-4e77-b415-cee677eb232e\r\nTimestamp: 2023-05-06 06:03:00Z",
    "error_codes": [7000215],
    "timestamp": "2023-05-06 06:03:00Z",
    "trace_id": "6f6c4645-0202-4486-b625-fa957dfc4700",
    "correlation_id": "5fc87507-4086-4e77-b415-cee677eb232e",
    "error_uri": "https://127.0.0.1:8443/error?code=7000215"})"));
  CHECK(aad_timestamp(0) == "1970-01-01 00:00:00Z");
}

TEST_CASE("bad token requests get the matching AAD error", "[token_request]") {
  struct expectation {
    std::string body;
    int status;
    std::string error;
    int64_t code;
    std::string text;
  };
  const std::string ok_scope = "&scope=https%3A%2F%2Fvault.azure.net%2F.default";
  std::vector<expectation> cases{
      {"", 400, "invalid_request", 900144,
       "The request body must contain the following parameter: 'grant_type'."},
      {"grant_type=&client_id=a", 400, "invalid_request", 900144,
       "The request body must contain the following parameter: 'grant_type'."},
      {"grant_type=authorization_code&client_id=a&code=x", 400, "unsupported_grant_type", 70003,
       "The app requested an unsupported grant type 'authorization_code'."},
      {"grant_type=client_credentials&client_secret=s" + ok_scope, 400, "invalid_request", 900144,
       "The request body must contain the following parameter: 'client_id'."},
      {"grant_type=client_credentials&client_id=a&client_secret=s", 400, "invalid_request", 900144,
       "The request body must contain the following parameter: 'scope'."},
      {"grant_type=client_credentials&client_id=a&client_secret=s&scope=https%3A%2F%2Fvault.azure."
       "net%2Fuser_impersonation",
       400, "invalid_scope", 1002012,
       "The provided value for scope https://vault.azure.net/user_impersonation is not valid. "
       "Client "
       "credential flows must have a scope value with /.default suffixed to the resource "
       "identifier "
       "(application ID URI)."},
      {"grant_type=client_credentials&client_id=a&client_secret=s&scope=%2F.default", 400,
       "invalid_scope", 1002012,
       "The provided value for scope /.default is not valid. Client credential flows must have a "
       "scope value with /.default suffixed to the resource identifier (application ID URI)."},
      {"grant_type=client_credentials&client_id=a&client_secret=s&scope=a%2F.default+b%2F.default",
       400, "invalid_scope", 70011,
       "The provided value for the input parameter 'scope' is not valid. The scope a/.default "
       "b/.default is not valid."},
      {"grant_type=client_credentials&client_id=a" + ok_scope, 401, "invalid_client", 7000218,
       "The request body must contain the following parameter: 'client_assertion' or "
       "'client_secret'."},
      {"grant_type=client_credentials&client_id=a&client_secret=" + ok_scope, 401, "invalid_client",
       7000218,
       "The request body must contain the following parameter: 'client_assertion' or "
       "'client_secret'."},
      {"grant_type=client_credentials&client_id=a&client_secret=s&client_assertion=x.y.z" +
           ok_scope,
       400, "invalid_request", 9002313,
       "Invalid request. Request is malformed or invalid. Only one of 'client_secret' and "
       "'client_assertion' may be sent."},
      {"grant_type=client_credentials&client_id=a&client_assertion=x.y.z" + ok_scope, 400,
       "invalid_request", 900144,
       "The request body must contain the following parameter: 'client_assertion_type'."},
      {"grant_type=client_credentials&client_id=a&client_assertion=x.y.z&client_assertion_type="
       "saml" +
           ok_scope,
       400, "invalid_request", 9002313,
       "Invalid request. Request is malformed or invalid. The client_assertion_type 'saml' is not "
       "supported; expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."},
      {"grant_type=client_credentials&client_id=a&client_id=b&client_secret=s" + ok_scope, 400,
       "invalid_request", 9002313,
       "Invalid request. Request is malformed or invalid. The parameter 'client_id' appears more "
       "than once."},
      {"grant_type=client_credentials&client_id=%zz&client_secret=s" + ok_scope, 400,
       "invalid_request", 9002313,
       "Invalid request. Request is malformed or invalid. The body holds a broken percent-escape."},
  };
  for (auto& c : cases) {
    INFO(c.body);
    auto err = parse_bad(c.body);
    CHECK(err.status == c.status);
    CHECK(err.error == c.error);
    CHECK(err.code == c.code);
    CHECK(err.text == c.text);
  }
}

TEST_CASE("the success answer has the shape MSAL accepts", "[token_request]") {
  issued_token token{"eyJ.abc.def", "https://vault.azure.net", 3600, 1700003600};
  CHECK(token_response_json(token) ==
        json::parse(R"({"token_type":"Bearer","expires_in":3600,"ext_expires_in":3600,
                           "access_token":"eyJ.abc.def"})"));
}
