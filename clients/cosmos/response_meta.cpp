#include "clients/cosmos/response_meta.hpp"

#include "clients/error.hpp"

#include <charconv>
#include <cmath>

namespace bulkd::cosmos {

namespace {

caf::error bad_header(std::string_view name, const std::string& value, std::string_view kind) {
  auto shown = value.size() > 40 ? value.substr(0, 40) + "..." : value;
  return make_error(ec::parse_error, "response header " + std::string{name} + " is not " +
                                         std::string{kind} + ": '" + shown + "'");
}

template <class T>
bool parse_integer(const std::string& text, T& out) {
  auto first = text.data();
  auto last = text.data() + text.size();
  auto [ptr, err] = std::from_chars(first, last, out);
  return err == std::errc{} && ptr == last;
}

bool parse_number(const std::string& text, double& out) {
  auto first = text.data();
  auto last = text.data() + text.size();
  auto [ptr, err] = std::from_chars(first, last, out);
  return err == std::errc{} && ptr == last && std::isfinite(out) && out >= 0;
}

} // namespace

caf::expected<response_meta> parse_response_meta(const http_response& response) {
  response_meta out;
  out.status = response.status;
  const auto& h = response.headers;
  if (auto v = h.find("x-ms-substatus"); v && !v->empty())
    if (!parse_integer(*v, out.substatus))
      return bad_header("x-ms-substatus", *v, "an integer");
  if (auto v = h.find("x-ms-request-charge"); v && !v->empty())
    if (!parse_number(*v, out.request_charge))
      return bad_header("x-ms-request-charge", *v, "a non-negative number");
  if (auto v = h.find("x-ms-retry-after-ms"); v && !v->empty()) {
    // Some gateways send fractional milliseconds.
    double ms = 0;
    if (!parse_number(*v, ms))
      return bad_header("x-ms-retry-after-ms", *v, "a non-negative number");
    out.retry_after = std::chrono::milliseconds{static_cast<int64_t>(std::ceil(ms))};
  } else if (auto s = h.find("Retry-After"); s && !s->empty()) {
    int64_t seconds = 0;
    if (!parse_integer(*s, seconds) || seconds < 0)
      return bad_header("Retry-After", *s, "a number of seconds");
    out.retry_after = std::chrono::seconds{seconds};
  }
  if (auto v = h.find("x-ms-item-count"); v && !v->empty()) {
    int64_t count = 0;
    if (!parse_integer(*v, count) || count < 0)
      return bad_header("x-ms-item-count", *v, "a non-negative integer");
    out.item_count = count;
  }
  out.activity_id = h.value("x-ms-activity-id");
  out.session_token = h.value("x-ms-session-token");
  out.etag = h.value("etag");
  out.continuation = h.value("x-ms-continuation");
  return out;
}

} // namespace bulkd::cosmos
