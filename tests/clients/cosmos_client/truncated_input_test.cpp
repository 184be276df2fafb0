#include "capture_parser.hpp"
#include "captures.hpp"
#include "clients/cosmos/account_properties.hpp"
#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/connection_string.hpp"
#include "clients/cosmos/container_properties.hpp"
#include "clients/cosmos/feed_page.hpp"
#include "clients/cosmos/partition_key_range.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/cosmos/session_token.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace bulkd;
using namespace bulkd::cosmos;

namespace {

// Every proper prefix of a valid body is refused with a message, never accepted or crashing.
template <class Parse>
void every_prefix_fails(std::string_view body, Parse parse) {
  for (size_t n = 0; n < body.size(); ++n) {
    auto result = parse(std::string{body.substr(0, n)});
    INFO("prefix of " << n << " bytes");
    REQUIRE_FALSE(result);
    CHECK(result.error().category() == error_category());
    CHECK_FALSE(render(result.error()).empty());
  }
}

http_response with_body(http_response response, std::string body) {
  response.body = std::move(body);
  return response;
}

} // namespace

TEST_CASE("every truncation of a captured body is refused", "[cosmos][client][garbage]") {
  auto account = capture::response(captures::account_response);
  every_prefix_fails(account.body,
                     [](const std::string& b) { return parse_account_properties(b); });
  auto container = capture::response(captures::create_container_response);
  every_prefix_fails(container.body,
                     [](const std::string& b) { return parse_container_properties(b); });
  auto pkranges = capture::response(captures::pkranges_response);
  every_prefix_fails(pkranges.body,
                     [&](const std::string& b) { return parse_pkranges(with_body(pkranges, b)); });
  auto feed = capture::response(captures::cf_beginning_response);
  every_prefix_fails(feed.body,
                     [&](const std::string& b) { return parse_feed_page(with_body(feed, b)); });
  auto bulk = capture::response(captures::bulk_response);
  every_prefix_fails(
      bulk.body, [&](const std::string& b) { return parse_batch_response(with_body(bulk, b), 3); });
}

TEST_CASE("random bytes never crash a parser", "[cosmos][client][garbage]") {
  std::mt19937 rng{4711};
  static constexpr std::string_view alphabet =
      "{}[]\":,0123456789-.eE#=;: \\/aAfFtrunlsx\xC3\xA9\xFF";
  std::uniform_int_distribution<size_t> length(0, 60);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  http_response response;
  response.status = 200;
  size_t accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    for (auto n = length(rng); n > 0; --n)
      text += alphabet[pick(rng)];
    response.body = text;
    accepted += parse_account_properties(text) ? 1 : 0;
    accepted += parse_container_properties(text) ? 1 : 0;
    accepted += parse_pkranges(response) ? 1 : 0;
    accepted += parse_feed_page(response) ? 1 : 0;
    accepted += parse_batch_response(response, 1) ? 1 : 0;
    accepted += parse_session_token(text) ? 1 : 0;
    accepted += parse_connection_string(text) ? 1 : 0;
    auto err = response;
    err.status = 500;
    err.headers = {{"x-ms-substatus", text}, {"x-ms-retry-after-ms", text}};
    CHECK(parse_service_error(err)); // always an error value, whatever the body
  }
  // Random text is (almost) never a valid document of these kinds.
  CHECK(accepted < 30);
}
