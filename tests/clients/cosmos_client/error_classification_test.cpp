#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/error_classification.hpp"
#include "clients/cosmos/service_error.hpp"

#include <catch2/catch.hpp>

using namespace bulkd::cosmos;
using std::chrono::milliseconds;

namespace {

struct row {
  int status;
  int substatus;
  retry_action action;
  int64_t delay_ms;
  const char* reason;
};

// cosmos-wire.md §7.2 and §6.5, without a retry-after header.
const row table[] = {
    {200, 0, retry_action::none, 0, "200: not an error"},
    {304, 0, retry_action::none, 0, "304: not an error"},
    {400, 0, retry_action::fail, 0, "400: bad request"},
    {400, 1001, retry_action::fail, 0,
     "400/1001: partition key mismatch (the header's key differs from the document's)"},
    {401, 0, retry_action::fail, 0, "401: unauthorized (wrong key, token or clock)"},
    {403, 0, retry_action::fail, 0, "403: forbidden"},
    {403, 3, retry_action::refresh_account, 0, "403/3: write forbidden in this region"},
    {403, 1008, retry_action::refresh_account, 0, "403/1008: database account not found in region"},
    {404, 0, retry_action::fail, 0, "404: not found"},
    {404, 1003, retry_action::fail, 0, "404/1003: not found"},
    {404, 1002, retry_action::retry, 0, "404/1002: read session not available"},
    {408, 0, retry_action::retry, 100, "408: request timeout"},
    {409, 0, retry_action::fail, 0, "409: conflict (the id exists)"},
    {410, 1000, retry_action::refresh_container, 0, "410/1000: name cache is stale"},
    {410, 1002, retry_action::refresh_routing, 0, "410/1002: partition key range gone (split)"},
    {410, 1007, retry_action::refresh_routing, 0, "410/1007: completing split"},
    {410, 1008, retry_action::retry, 100, "410/1008: completing partition migration"},
    {410, 0, retry_action::refresh_routing, 0, "410: gone"},
    {412, 0, retry_action::fail, 0, "412: precondition failed (etag or patch condition)"},
    {413, 0, retry_action::fail, 0, "413: entity too large"},
    {413, 3402, retry_action::rebatch, 0, "413/3402: batch response too large"},
    {424, 0, retry_action::fail, 0,
     "424: failed dependency (another operation of the batch failed)"},
    {429, 3200, retry_action::retry, 1000, "429/3200: throttled (request rate too large)"},
    {429, 3092, retry_action::retry, 100, "429/3092: system resource unavailable"},
    {449, 0, retry_action::retry, 10, "449: retry with (concurrent write in the service)"},
    {500, 0, retry_action::retry, 100, "500: internal server error"},
    {502, 0, retry_action::retry, 100, "502: bad gateway"},
    {503, 0, retry_action::retry, 100, "503: service unavailable"},
    {504, 0, retry_action::retry, 100, "504: gateway timeout"},
    {405, 0, retry_action::fail, 0, "405: HTTP error"},
};

} // namespace

TEST_CASE("status and substatus decide retry, refresh or fail", "[cosmos][client][classify]") {
  for (const auto& r : table) {
    INFO(r.status << "/" << r.substatus);
    auto d = classify(r.status, r.substatus);
    CHECK(to_string(d.action) == std::string{to_string(r.action)});
    CHECK(d.delay == milliseconds{r.delay_ms});
    CHECK(d.reason == r.reason);
    bool retryable = r.action != retry_action::fail && r.action != retry_action::none;
    CHECK(d.retryable() == retryable);
  }
}

TEST_CASE("the server's retry-after wins over the default delay", "[cosmos][client][classify]") {
  CHECK(classify(429, 3200, milliseconds{120}).delay == milliseconds{120});
  CHECK(classify(429, 0, milliseconds{0}).delay == milliseconds{0});
  CHECK(classify(503, 0, milliseconds{2000}).delay == milliseconds{2000});
  CHECK(classify(449, 0, milliseconds{50}).delay == milliseconds{50});
  // Not retryable stays not retryable whatever the header says.
  auto conflict = classify(409, 0, milliseconds{10});
  CHECK_FALSE(conflict.retryable());
  CHECK(conflict.delay == milliseconds{0});
}

TEST_CASE("parsed errors and batch results classify with their retry-after",
          "[cosmos][client][classify]") {
  bulkd::http_response throttled;
  throttled.status = 429;
  throttled.headers = {{"x-ms-substatus", "3200"}, {"x-ms-retry-after-ms", "75"}};
  throttled.body = R"({"code":"TooManyRequests","message":"x"})";
  auto err = parse_service_error(throttled);
  REQUIRE(err);
  auto d = classify(*err);
  CHECK(d.action == retry_action::retry);
  CHECK(d.delay == milliseconds{75});

  bulkd::http_response bulk;
  bulk.status = 207;
  bulk.body =
      R"([{"statusCode":201},{"statusCode":429,"subStatusCode":3200,"retryAfterMilliseconds":40},
                  {"statusCode":410,"subStatusCode":1002},{"statusCode":413,"subStatusCode":3402},
                  {"statusCode":400}])";
  auto results = parse_batch_response(bulk, 5);
  REQUIRE(results);
  CHECK(classify(results->results[0]).action == retry_action::none);
  CHECK(classify(results->results[1]).delay == milliseconds{40});
  CHECK(classify(results->results[2]).action == retry_action::refresh_routing);
  CHECK(classify(results->results[3]).action == retry_action::rebatch);
  CHECK(classify(results->results[4]).action == retry_action::fail);
}
