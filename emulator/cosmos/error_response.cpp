#include "emulator/cosmos/error_response.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace bulkd::emulator::cosmos {

const char* status_code_name(int status) {
  switch (status) {
  case 400:
    return "BadRequest";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "NotFound";
  case 405:
    return "MethodNotAllowed";
  case 408:
    return "RequestTimeout";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 412:
    return "PreconditionFailed";
  case 413:
    return "RequestEntityTooLarge";
  case 414:
    return "RequestUriTooLong";
  case 415:
    return "UnsupportedMediaType";
  case 429:
    return "TooManyRequests";
  case 449:
    return "RetryWith";
  case 500:
    return "InternalServerError";
  case 501:
    return "NotImplemented";
  case 503:
    return "ServiceUnavailable";
  default:
    return status >= 500 ? "InternalServerError" : "BadRequest";
  }
}

std::string error_body(std::string_view code, std::string_view message) {
  nlohmann::json body{{"code", code}, {"message", message}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_error(httplib::Response& res, int status, std::string_view message, int substatus) {
  write_error(res, status, status_code_name(status), message, substatus);
}

void write_error(httplib::Response& res, int status, std::string_view code,
                 std::string_view message, int substatus) {
  res.status = status;
  res.set_content(error_body(code, message), "application/json");
  if (substatus != 0)
    res.set_header("x-ms-substatus", std::to_string(substatus));
  if (!res.has_header("x-ms-request-charge"))
    res.set_header("x-ms-request-charge", "0");
}

} // namespace bulkd::emulator::cosmos
