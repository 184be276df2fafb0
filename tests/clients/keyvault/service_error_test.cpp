#include "clients/error.hpp"
#include "clients/keyvault/service_error.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::keyvault;

namespace {

http_response answer(int status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

} // namespace

TEST_CASE("Key Vault error bodies become typed errors", "[keyvault][errors]") {
  auto not_found = parse_service_error(answer(
      404,
      R"({"error":{"code":"KeyNotFound","message":"A key with (name/id) k1 was not found in this key vault."}})"));
  CHECK(not_found == service_error{404, "KeyNotFound",
                                   "A key with (name/id) k1 was not found in this key vault.", ""});
  CHECK(render(to_error(not_found)) == "not_found: Key Vault answered 404 KeyNotFound: A key with "
                                       "(name/id) k1 was not found in this key vault.");

  auto rbac = parse_service_error(answer(
      403,
      R"({"error":{"code":"Forbidden","message":"Caller is not authorized to perform action on resource.","innererror":{"code":"ForbiddenByRbac"}}})"));
  CHECK(rbac.inner_code == "ForbiddenByRbac");
  CHECK(render(to_error(rbac)) == "unauthorized: Key Vault answered 403 Forbidden: Caller is not "
                                  "authorized to perform action on resource. [innererror "
                                  "ForbiddenByRbac]");

  CHECK(
      render(response_error(answer(
          400,
          R"({"error":{"code":"Malformed backup blob","message":"Backup blob contains invalid or corrupt version."}})"))) ==
      "http_error: Key Vault answered 400 Malformed backup blob: Backup blob contains invalid or "
      "corrupt version.");
  CHECK(
      render(response_error(answer(
          429,
          R"({"error":{"code":"Throttled","message":"Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached"}})"))) ==
      "overloaded: Key Vault answered 429 Throttled: Request was not processed because too many "
      "requests were received. Reason: VaultRequestTypeLimitReached");
  CHECK(
      render(response_error(answer(
          401,
          R"({"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}})"))) ==
      "unauthorized: Key Vault answered 401 Unauthorized: AKV10000: Request is missing a Bearer "
      "or PoP token.");
  CHECK(render(response_error(
            answer(409, R"({"error":{"code":"Conflict","message":"x","innererror":null}})"))) ==
        "conflict: Key Vault answered 409 Conflict: x");
}

TEST_CASE("bodies that are not Key Vault errors still say what they were", "[keyvault][errors]") {
  CHECK(render(response_error(answer(502, "<html>\r\n<body>Bad Gateway</body></html>"))) ==
        "http_error: Key Vault answered 502: (not a Key Vault error body) <html>  <body>Bad "
        "Gateway</body></html>");
  CHECK(render(response_error(answer(503, ""))) ==
        "http_error: Key Vault answered 503: (empty body)");
  CHECK(render(response_error(answer(500, R"({"error":null})"))) ==
        "http_error: Key Vault answered 500: (not a Key Vault error body) {\"error\":null}");
  CHECK(render(response_error(answer(500, R"({"error":{"code":7,"message":["x"]}})"))) ==
        "http_error: Key Vault answered 500");
  auto long_body = std::string(300, 'x');
  CHECK(render(response_error(answer(500, long_body))) ==
        "http_error: Key Vault answered 500: (not a Key Vault error body) " +
            std::string(200, 'x') + "...");
}

TEST_CASE("retryable statuses", "[keyvault][errors]") {
  for (int s : {408, 429, 500, 502, 503, 504})
    CHECK(is_retryable_status(s));
  for (int s : {200, 400, 401, 403, 404, 409, 501})
    CHECK_FALSE(is_retryable_status(s));
}
