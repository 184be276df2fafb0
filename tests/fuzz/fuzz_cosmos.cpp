// The Cosmos DB client's parsers of what a server (or a proxy, or an attacker in the middle) sends:
// the account document, pkranges and the routing map built from them, feed pages, batch results,
// error responses and the headers bulkd acts on; plus the strings it reads from configs and
// continuations (connection strings, session tokens, RIDs, partition key headers and paths).
// The first byte picks the parser; see fuzz_support.hpp for the response text format.

#include "clients/cosmos/account_properties.hpp"
#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/connection_string.hpp"
#include "clients/cosmos/container_properties.hpp"
#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/error_classification.hpp"
#include "clients/cosmos/feed_page.hpp"
#include "clients/cosmos/http_date.hpp"
#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/partition_key_range.hpp"
#include "clients/cosmos/resource_path.hpp"
#include "clients/cosmos/response_meta.hpp"
#include "clients/cosmos/rid.hpp"
#include "clients/cosmos/routing_map.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/cosmos/session_token.hpp"
#include "clients/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

using namespace bulkd;
using namespace bulkd::cosmos;
using bulkd::fuzz::response_from;

namespace {

void account(std::string_view text) {
  if (auto acct = parse_account_properties(text); !acct)
    (void)render(acct.error());
}

void pkranges(std::string_view text) {
  auto parsed = parse_pkranges(response_from(text));
  if (!parsed) {
    (void)render(parsed.error());
    return;
  }
  auto map = routing_map::make(parsed->ranges, "etag");
  if (!map) {
    (void)render(map.error());
    return;
  }
  // A valid map covers every EPK below "FF" exactly once.
  for (std::string_view epk : {"", "00", "3F", "7FFFFFFF", "FE"}) {
    auto owner = map->route(epk);
    BULKD_FUZZ_CHECK(owner != nullptr);
    BULKD_FUZZ_CHECK(owner->range().contains(epk));
  }
  (void)map->overlapping(epk_range{"", "FF", false});
  if (auto next = map->apply(parsed->ranges, "etag2"); !next)
    (void)render(next.error());
}

void feed(std::string_view text) {
  auto page = parse_feed_page(response_from(text));
  if (!page) {
    (void)render(page.error());
    return;
  }
  (void)estimated_lag(*page);
  // Every document is handed on as JSON text, so it must parse again.
  for (const auto& doc : page->documents)
    BULKD_FUZZ_CHECK(nlohmann::json::accept(doc));
}

void batch(std::string_view text) {
  size_t operations = text.empty() ? 0 : static_cast<unsigned char>(text[0]) % 8;
  auto parsed = parse_batch_response(response_from(text.substr(text.empty() ? 0 : 1)), operations);
  if (!parsed) {
    (void)render(parsed.error());
    return;
  }
  BULKD_FUZZ_CHECK(parsed->results.size() == operations);
  for (const auto& result : parsed->results) {
    (void)classify(result);
    if (!result.resource_body.empty())
      BULKD_FUZZ_CHECK(nlohmann::json::accept(result.resource_body));
  }
}

void error(std::string_view text) {
  auto resp = response_from(text);
  auto err = parse_service_error(resp);
  if (!err) {
    (void)render(err.error());
    return;
  }
  (void)render(to_error(*err));
  (void)classify(*err);
  if (auto meta = parse_response_meta(resp); !meta)
    (void)render(meta.error());
}

void container(std::string_view text) {
  auto props = parse_container_properties(text);
  if (!props) {
    (void)render(props.error());
    return;
  }
  // Route a few documents through the definition the server sent.
  for (std::string_view doc :
       {R"({"id":"a","pk":"x"})", R"({"a":{"b":[1,2]},"c":null})", R"({"pk":1.5e300,"x":true})"}) {
    auto key = extract_partition_key(doc, props->partition_key);
    if (!key)
      continue;
    if (auto epk = effective_partition_key(*key, props->partition_key); !epk)
      (void)render(epk.error());
    (void)to_header(*key);
  }
}

void strings(uint8_t which, std::string_view text) {
  switch (which % 8) {
  case 0:
    if (auto cs = parse_connection_string(text); !cs)
      (void)render(cs.error());
    break;
  case 1: {
    auto parts = parse_session_token(text);
    if (parts) {
      // The formatted token reads back as the same parts.
      auto again = parse_session_token(to_string(*parts));
      BULKD_FUZZ_CHECK(again && *again == *parts);
    }
    (void)session_token_lsn(text);
    auto half = text.size() / 2;
    (void)merge_session_tokens(text.substr(0, half), text.substr(half));
    break;
  }
  case 2: {
    auto rid = parse_rid(text);
    if (rid) {
      auto again = parse_rid(to_string(*rid));
      BULKD_FUZZ_CHECK(again && *again == *rid);
    }
    (void)is_database_rid(text);
    break;
  }
  case 3: {
    auto key = parse_partition_key_header(text);
    if (key) {
      auto again = parse_partition_key_header(to_header(*key));
      BULKD_FUZZ_CHECK(static_cast<bool>(again));
      (void)epk_v1(*key);
      (void)epk_v2(*key);
      (void)epk_multi_hash(*key);
    }
    break;
  }
  case 4:
    if (auto path = parse_partition_key_path(text); !path)
      (void)render(path.error());
    break;
  case 5:
    if (auto addr = parse_resource_path(text); addr)
      (void)request_path(addr->resource_link);
    break;
  case 6:
    if (auto date = parse_http_date(text); date)
      BULKD_FUZZ_CHECK(static_cast<bool>(parse_http_date(format_http_date(*date))));
    break;
  case 7:
    if (auto token = parse_authorization(text); !token)
      (void)render(token.error());
    break;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [selector, rest] = bulkd::fuzz::select(data, size);
  switch (selector % 8) {
  case 0:
    account(rest);
    break;
  case 1:
    pkranges(rest);
    break;
  case 2:
    feed(rest);
    break;
  case 3:
    batch(rest);
    break;
  case 4:
    error(rest);
    break;
  case 5:
    container(rest);
    break;
  default:
    if (!rest.empty())
      strings(static_cast<uint8_t>(rest[0]), rest.substr(1));
    break;
  }
  return 0;
}
