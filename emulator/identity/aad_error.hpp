#pragma once

// OAuth 2.0 error answers in the shape Microsoft Entra ID (AAD) sends them, e.g.
//
//   401 {"error": "invalid_client",
//        "error_description": "AADSTS7000215: Invalid client secret provided. ...\r\nTrace ID: …
//                              \r\nCorrelation ID: …\r\nTimestamp: 2023-05-06 06:03:00Z",
//        "error_codes": [7000215], "timestamp": "2023-05-06 06:03:00Z", "trace_id": "…",
//        "correlation_id": "…", "error_uri": "<authority>/error?code=7000215"}
//
// The codes and texts follow public captures of the real service; codes marked "emulator" below
// have no capture and are this emulator's choice.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace bulkd::emulator::identity {

struct aad_error {
  int status = 400;
  std::string error; // invalid_request, invalid_client, unauthorized_client, invalid_scope, ...
  int64_t code = 0;  // the AADSTS number
  std::string text;  // the description after "AADSTS<code>: "
};

/// Per-response values: ids are GUID strings, now is Unix seconds.
struct aad_error_context {
  std::string authority; // error_uri base, e.g. "https://127.0.0.1:8443"
  std::string trace_id;
  std::string correlation_id;
  int64_t now = 0;
};

/// "2023-05-06 06:03:00Z", AAD's timestamp format.
std::string aad_timestamp(int64_t unix_seconds);

nlohmann::json to_json(const aad_error& err, const aad_error_context& context);

namespace aad_errors {

/// 400 invalid_request AADSTS900144: a required body parameter is missing.
aad_error missing_parameter(std::string_view name);
/// 400 invalid_request AADSTS9002313: the body is not valid form data (emulator: also for a
/// repeated parameter).
aad_error malformed_request(std::string_view why);
/// 400 unsupported_grant_type AADSTS70003.
aad_error unsupported_grant_type(std::string_view grant_type);
/// 400 invalid_scope AADSTS1002012: client credentials need "<resource>/.default".
aad_error scope_not_default(std::string_view scope);
/// 400 invalid_scope AADSTS70011: more than one scope.
aad_error invalid_scope(std::string_view scope);
/// 401 invalid_client AADSTS7000218: neither client_secret nor client_assertion.
aad_error missing_credential();
/// 400 invalid_request AADSTS9002313 (emulator): both client_secret and client_assertion.
aad_error two_credentials();
/// 400 invalid_request AADSTS9002313 (emulator): client_assertion_type is not jwt-bearer.
aad_error bad_assertion_type(std::string_view type);
/// 400 invalid_request AADSTS90002: unknown tenant.
aad_error tenant_not_found(std::string_view tenant);
/// 400 unauthorized_client AADSTS700016: unknown application in this tenant.
aad_error client_not_found(std::string_view client_id, std::string_view tenant);
/// 401 invalid_client AADSTS7000215: wrong secret (or the client has none).
aad_error invalid_secret(std::string_view client_id);
/// 400 invalid_request AADSTS50027: the assertion is not a well-formed JWT.
aad_error malformed_assertion(std::string_view why);
/// 401 invalid_client AADSTS700027: unknown certificate or signature that does not verify.
aad_error assertion_signature(std::string_view thumbprint, std::string_view why);
/// 401 invalid_client AADSTS700024: exp/nbf outside the valid time range.
aad_error assertion_time_range(std::string_view why);
/// 401 invalid_client AADSTS50012 (emulator's pick among the captured texts): wrong aud.
aad_error assertion_audience(std::string_view why);
/// 401 invalid_client AADSTS700021: iss/sub are not the client id.
aad_error assertion_issuer(std::string_view why);

} // namespace aad_errors

} // namespace bulkd::emulator::identity
