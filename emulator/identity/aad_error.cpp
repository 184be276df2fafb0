#include "emulator/identity/aad_error.hpp"

#include <ctime>

namespace bulkd::emulator::identity {

std::string aad_timestamp(int64_t unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json to_json(const aad_error& err, const aad_error_context& context) {
  auto code = std::to_string(err.code);
  auto timestamp = aad_timestamp(context.now);
  auto description = "AADSTS" + code + ": " + err.text + "\r\nTrace ID: " + context.trace_id +
                     "\r\nCorrelation ID: " + context.correlation_id +
                     "\r\nTimestamp: " + timestamp;
  return {{"error", err.error},
          {"error_description", description},
          {"error_codes", nlohmann::json::array({err.code})},
          {"timestamp", timestamp},
          {"trace_id", context.trace_id},
          {"correlation_id", context.correlation_id},
          {"error_uri", context.authority + "/error?code=" + code}};
}

namespace aad_errors {

namespace {

aad_error make(int status, const char* error, int64_t code, std::string text) {
  return {status, error, code, std::move(text)};
}

std::string s(std::string_view v) {
  return std::string{v};
}

} // namespace

aad_error missing_parameter(std::string_view name) {
  return make(400, "invalid_request", 900144,
              "The request body must contain the following parameter: '" + s(name) + "'.");
}

aad_error malformed_request(std::string_view why) {
  return make(400, "invalid_request", 9002313,
              "Invalid request. Request is malformed or invalid. " + s(why));
}

aad_error unsupported_grant_type(std::string_view grant_type) {
  return make(400, "unsupported_grant_type", 70003,
              "The app requested an unsupported grant type '" + s(grant_type) + "'.");
}

aad_error scope_not_default(std::string_view scope) {
  return make(400, "invalid_scope", 1002012,
              "The provided value for scope " + s(scope) +
                  " is not valid. Client credential flows must have a scope value with /.default "
                  "suffixed to the resource identifier (application ID URI).");
}

aad_error invalid_scope(std::string_view scope) {
  return make(400, "invalid_scope", 70011,
              "The provided value for the input parameter 'scope' is not valid. The scope " +
                  s(scope) + " is not valid.");
}

aad_error missing_credential() {
  return make(401, "invalid_client", 7000218,
              "The request body must contain the following parameter: 'client_assertion' or "
              "'client_secret'.");
}

aad_error two_credentials() {
  return malformed_request("Only one of 'client_secret' and 'client_assertion' may be sent.");
}

aad_error bad_assertion_type(std::string_view type) {
  return malformed_request("The client_assertion_type '" + s(type) +
                           "' is not supported; expected "
                           "'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.");
}

aad_error tenant_not_found(std::string_view tenant) {
  return make(400, "invalid_request", 90002,
              "Tenant '" + s(tenant) +
                  "' not found. Check to make sure you have the correct tenant ID and are signing "
                  "into the correct cloud.");
}

aad_error client_not_found(std::string_view client_id, std::string_view tenant) {
  return make(400, "unauthorized_client", 700016,
              "Application with identifier '" + s(client_id) +
                  "' was not found in the directory '" + s(tenant) +
                  "'. This can happen if the application has not been installed by the "
                  "administrator of the tenant or consented to by any user in the tenant. You may "
                  "have sent your authentication request to the wrong tenant.");
}

aad_error invalid_secret(std::string_view client_id) {
  return make(401, "invalid_client", 7000215,
              "Invalid client secret provided. Ensure the secret being sent in the request is the "
              "client secret value, not the client secret ID, for a secret added to app '" +
                  s(client_id) + "'.");
}

aad_error malformed_assertion(std::string_view why) {
  return make(400, "invalid_request", 50027, "JWT token is invalid or malformed. " + s(why));
}

aad_error assertion_signature(std::string_view thumbprint, std::string_view why) {
  return make(401, "invalid_client", 700027,
              "Client assertion contains an invalid signature. [Reason - " + s(why) +
                  ", Thumbprint of key used by client: '" + s(thumbprint) + "']");
}

aad_error assertion_time_range(std::string_view why) {
  return make(401, "invalid_client", 700024,
              "Client assertion is not within its valid time range. " + s(why));
}

aad_error assertion_audience(std::string_view why) {
  return make(401, "invalid_client", 50012,
              "Client assertion audience claim does not match Realm issuer. " + s(why));
}

aad_error assertion_issuer(std::string_view why) {
  return make(401, "invalid_client", 700021,
              "Client assertion application identifier doesn't match 'client_id' parameter. " +
                  s(why));
}

} // namespace aad_errors

} // namespace bulkd::emulator::identity
