#include "clients/cosmos/batch_response.hpp"

#include "clients/cosmos/json_body.hpp"

#include <cmath>

namespace bulkd::cosmos {

namespace {

constexpr std::string_view what = "batch response";

caf::expected<operation_result> read_result(const nlohmann::ordered_json& json, size_t index) {
  auto where = "result " + std::to_string(index);
  if (!json.is_object())
    return detail::bad_body(what, where + " must be an object, got " + detail::json_type(json));
  operation_result out;
  auto status = json.find("statusCode");
  if (status == json.end())
    return detail::bad_body(what, where + ": 'statusCode' is missing");
  if (!status->is_number_integer() || status->get<int64_t>() < 100 || status->get<int64_t>() > 599)
    return detail::bad_body(what,
                            where + ": 'statusCode' must be an HTTP status, got " + status->dump());
  out.status = status->get<int>();
  if (auto sub = json.find("subStatusCode"); sub != json.end()) {
    if (!sub->is_number_integer())
      return detail::bad_body(what, where + ": " +
                                        detail::wrong_type("subStatusCode", "an integer", *sub));
    out.substatus = sub->get<int>();
  }
  if (auto charge = json.find("requestCharge"); charge != json.end()) {
    if (!charge->is_number() || charge->get<double>() < 0)
      return detail::bad_body(what, where +
                                        ": 'requestCharge' must be a non-negative number, "
                                        "got " +
                                        charge->dump());
    out.request_charge = charge->get<double>();
  }
  if (auto retry = json.find("retryAfterMilliseconds"); retry != json.end()) {
    if (!retry->is_number() || retry->get<double>() < 0)
      return detail::bad_body(what, where +
                                        ": 'retryAfterMilliseconds' must be a non-negative "
                                        "number, got " +
                                        retry->dump());
    out.retry_after =
        std::chrono::milliseconds{static_cast<int64_t>(std::ceil(retry->get<double>()))};
  }
  if (auto etag = json.find("eTag"); etag != json.end() && !etag->is_null()) {
    if (!etag->is_string())
      return detail::bad_body(what, where + ": " + detail::wrong_type("eTag", "a string", *etag));
    out.etag = etag->get<std::string>();
  }
  if (auto body = json.find("resourceBody"); body != json.end() && !body->is_null())
    out.resource_body = body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out;
}

} // namespace

caf::expected<batch_response> parse_batch_response(const http_response& response,
                                                   size_t operations) {
  if (response.status != 200 && response.status != 207)
    return detail::bad_body(what, "HTTP " + std::to_string(response.status) +
                                      " is not a batch result (the whole request failed)");
  auto meta = parse_response_meta(response);
  if (!meta)
    return meta.error();
  auto json = detail::parse_json_body<nlohmann::ordered_json>(response.body, what);
  if (!json)
    return json.error();
  if (!json->is_array())
    return detail::bad_body(what, "expected a JSON array, got " + detail::json_type(*json));
  if (json->size() != operations)
    return detail::bad_body(what, std::to_string(json->size()) + " results for " +
                                      std::to_string(operations) + " operations");
  batch_response out;
  out.meta = std::move(*meta);
  out.results.reserve(operations);
  for (size_t i = 0; i < json->size(); ++i) {
    auto result = read_result((*json)[i], i);
    if (!result)
      return result.error();
    out.results.push_back(std::move(*result));
  }
  return out;
}

} // namespace bulkd::cosmos
