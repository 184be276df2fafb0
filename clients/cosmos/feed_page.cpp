#include "clients/cosmos/feed_page.hpp"

#include "clients/cosmos/json_body.hpp"
#include "clients/cosmos/response_meta.hpp"
#include "clients/cosmos/session_token.hpp"

#include <algorithm>

namespace bulkd::cosmos {

namespace {

constexpr std::string_view what = "feed page";

} // namespace

caf::expected<feed_page> parse_feed_page(const http_response& response) {
  if (response.status != 200 && response.status != 304)
    return detail::bad_body(what, "unexpected HTTP status " + std::to_string(response.status));
  auto meta = parse_response_meta(response);
  if (!meta)
    return meta.error();
  feed_page out;
  out.etag = std::move(meta->etag);
  out.continuation = std::move(meta->continuation);
  out.session_token = std::move(meta->session_token);
  out.request_charge = meta->request_charge;
  out.activity_id = std::move(meta->activity_id);
  if (!out.session_token.empty()) {
    // Multi-range tokens have no single LSN; the lag is then unknown rather than an error.
    if (auto lsn = session_token_lsn(out.session_token))
      out.session_lsn = *lsn;
    else if (out.session_token.find(',') == std::string::npos)
      return lsn.error();
  }
  if (response.status == 304) {
    out.not_modified = true;
    return out;
  }
  auto json = detail::parse_json_body<nlohmann::ordered_json>(response.body, what);
  if (!json)
    return json.error();
  if (!json->is_object())
    return detail::bad_body(what, "expected a JSON object, got " + detail::json_type(*json));
  auto docs = json->find("Documents");
  if (docs == json->end())
    return detail::bad_body(what, "'Documents' is missing");
  if (!docs->is_array())
    return detail::bad_body(what, detail::wrong_type("Documents", "an array", *docs));
  out.documents.reserve(docs->size());
  size_t index = 0;
  for (const auto& doc : *docs) {
    // Query pages of SELECT VALUE hold any JSON values; change feed pages hold documents.
    if (index == 0 && doc.is_object()) {
      if (auto lsn = doc.find("_lsn"); lsn != doc.end()) {
        if (!lsn->is_number_integer())
          return detail::bad_body(what,
                                  detail::wrong_type("Documents[0]._lsn", "an integer", *lsn));
        out.first_lsn = lsn->get<int64_t>();
      }
    }
    out.documents.push_back(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    ++index;
  }
  if (auto count = json->find("_count"); count != json->end()) {
    if (!count->is_number_integer())
      return detail::bad_body(what, detail::wrong_type("_count", "an integer", *count));
    if (count->get<int64_t>() != static_cast<int64_t>(out.documents.size()))
      return detail::bad_body(what, "'_count' is " + std::to_string(count->get<int64_t>()) +
                                        " but 'Documents' holds " +
                                        std::to_string(out.documents.size()));
  }
  return out;
}

std::optional<int64_t> estimated_lag(const feed_page& page) {
  if (!page.session_lsn)
    return std::nullopt;
  if (page.documents.empty() || !page.first_lsn)
    return 0;
  auto last_processed = *page.first_lsn - 1;
  if (last_processed < 0)
    return 1;
  return std::max<int64_t>(0, *page.session_lsn - last_processed);
}

} // namespace bulkd::cosmos
