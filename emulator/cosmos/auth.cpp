#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/http_date.hpp"
#include "emulator/cosmos/handlers.hpp"

#include <httplib.h>

#include <chrono>

namespace bulkd::emulator::cosmos {

std::string check_authorization(const request_context& ctx) {
  namespace proto = bulkd::cosmos;
  const auto& req = ctx.req;
  auto header = req.get_header_value("authorization");
  if (header.empty())
    return "The authorization header is missing: sign requests with the master key "
           "(type=master&ver=1.0&sig=...)";
  if (auto token = proto::parse_authorization(header);
      token && token->type == proto::token_type::aad)
    return "AAD tokens are not configured in this emulator: sign requests with the master key "
           "(type=master)";
  auto x_ms_date = req.get_header_value("x-ms-date");
  auto date = req.get_header_value("date");
  std::string verb = req.method;
  for (auto& c : verb)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto err = proto::verify_master_authorization(header, ctx.service.key(), verb,
                                                    ctx.addr.resource_type, ctx.addr.resource_link,
                                                    x_ms_date, date))
    return "The input authorization token can't serve the request: " + proto::error_message(err);
  auto when = proto::parse_http_date(x_ms_date.empty() ? date : x_ms_date);
  if (!when)
    return "The request date header is invalid: " + proto::error_message(when.error());
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto err = proto::check_request_time(*when, now))
    return "The request is outside the allowed time window: " + proto::error_message(err);
  return {};
}

} // namespace bulkd::emulator::cosmos
