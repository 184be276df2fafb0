#include "clients/cosmos/service_error.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"

#include <nlohmann/json.hpp>

namespace bulkd::cosmos {

namespace {

constexpr size_t quoted_body = 120;

std::string body_start(const std::string& body) {
  if (body.size() <= quoted_body)
    return body;
  return body.substr(0, quoted_body) + "...";
}

void read_body(const http_response& response, service_error& out) {
  if (response.body.empty()) {
    out.message = "(empty body)";
    return;
  }
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    out.message = "(body is not a JSON object) " + body_start(response.body);
    return;
  }
  if (auto code = json.find("code"); code != json.end()) {
    if (code->is_string())
      out.code = code->get<std::string>();
    else
      out.code = "(code is a " + std::string{code->type_name()} + ")";
  }
  if (auto message = json.find("message"); message != json.end()) {
    if (message->is_string())
      out.message = message->get<std::string>();
    else
      out.message =
          "(message is a " + std::string{message->type_name()} + ") " + body_start(response.body);
  } else {
    out.message = "(no message) " + body_start(response.body);
  }
}

} // namespace

caf::expected<service_error> parse_service_error(const http_response& response) {
  if (response.status < 400)
    return make_error(ec::invalid_argument,
                      "HTTP " + std::to_string(response.status) + " is not an error response");
  service_error out;
  // A header that does not parse must not hide the error itself: keep the status, note it.
  std::string header_problem;
  if (auto meta = parse_response_meta(response)) {
    out.meta = std::move(*meta);
  } else {
    out.meta.status = response.status;
    out.meta.activity_id = response.headers.value("x-ms-activity-id");
    header_problem = " [" + error_message(meta.error()) + "]";
  }
  read_body(response, out);
  out.message += header_problem;
  return out;
}

caf::error to_error(const service_error& err) {
  auto code = ec::http_error;
  switch (err.status()) {
  case 404:
    code = ec::not_found;
    break;
  case 409:
  case 412:
    code = ec::conflict;
    break;
  case 401:
  case 403:
    code = ec::unauthorized;
    break;
  case 408:
    code = ec::timeout;
    break;
  case 429:
    code = ec::overloaded;
    break;
  default:
    break;
  }
  auto text = "HTTP " + std::to_string(err.status());
  if (err.substatus() != 0)
    text += "/" + std::to_string(err.substatus());
  if (!err.code.empty())
    text += " " + err.code;
  text += ": " + err.message;
  if (!err.meta.activity_id.empty())
    text += " (activity id " + err.meta.activity_id + ")";
  return make_error(code, std::move(text));
}

} // namespace bulkd::cosmos
