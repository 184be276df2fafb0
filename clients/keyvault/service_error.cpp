#include "clients/keyvault/service_error.hpp"

#include "clients/error.hpp"

#include <nlohmann/json.hpp>

namespace bulkd::keyvault {

namespace {

constexpr size_t max_quoted_body = 200;

std::string printable_prefix(const std::string& body) {
  std::string out;
  for (size_t i = 0; i < body.size() && i < max_quoted_body; ++i) {
    auto c = static_cast<unsigned char>(body[i]);
    out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  }
  if (body.size() > max_quoted_body)
    out += "...";
  return out;
}

std::string string_field(const nlohmann::json& obj, const char* name) {
  if (!obj.is_object())
    return {};
  auto i = obj.find(name);
  return i != obj.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

} // namespace

service_error parse_service_error(const http_response& resp) {
  service_error result;
  result.status = resp.status;
  auto doc = nlohmann::json::parse(resp.body, nullptr, false);
  const nlohmann::json* err = nullptr;
  if (!doc.is_discarded() && doc.is_object())
    if (auto i = doc.find("error"); i != doc.end() && i->is_object())
      err = &*i;
  if (err == nullptr) {
    if (resp.body.empty())
      result.message = "(empty body)";
    else
      result.message = "(not a Key Vault error body) " + printable_prefix(resp.body);
    return result;
  }
  result.code = string_field(*err, "code");
  result.message = string_field(*err, "message");
  if (auto i = err->find("innererror"); i != err->end())
    result.inner_code = string_field(*i, "code");
  return result;
}

caf::error to_error(const service_error& err) {
  ec code = ec::http_error;
  switch (err.status) {
  case 401:
  case 403:
    code = ec::unauthorized;
    break;
  case 404:
    code = ec::not_found;
    break;
  case 409:
    code = ec::conflict;
    break;
  case 429:
    code = ec::overloaded;
    break;
  default:
    break;
  }
  std::string text = "Key Vault answered " + std::to_string(err.status);
  if (!err.code.empty())
    text += " " + err.code;
  if (!err.message.empty())
    text += ": " + err.message;
  if (!err.inner_code.empty())
    text += " [innererror " + err.inner_code + "]";
  return make_error(code, std::move(text));
}

caf::error response_error(const http_response& resp) {
  return to_error(parse_service_error(resp));
}

bool is_retryable_status(int status) {
  switch (status) {
  case 408:
  case 429:
  case 500:
  case 502:
  case 503:
  case 504:
    return true;
  default:
    return false;
  }
}

} // namespace bulkd::keyvault
