#include "capture_parser.hpp"
#include "captures.hpp"
#include "clients/cosmos/account_properties.hpp"
#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/container_properties.hpp"
#include "clients/cosmos/feed_page.hpp"
#include "clients/cosmos/partition_key_range.hpp"
#include "clients/cosmos/response_meta.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bulkd;
using namespace bulkd::cosmos;

namespace {

http_response make_response(int status, std::string body, http_headers headers = {}) {
  http_response out;
  out.status = status;
  out.body = std::move(body);
  out.headers = std::move(headers);
  return out;
}

template <class T>
std::string failure(const caf::expected<T>& result) {
  REQUIRE_FALSE(result);
  return render(result.error());
}

} // namespace

TEST_CASE("response headers: charge, substatus, retry-after, session, etag",
          "[cosmos][client][parse]") {
  auto meta = parse_response_meta(make_response(429, "{}",
                                                {{"x-ms-request-charge", "5.71"},
                                                 {"x-ms-substatus", "3200"},
                                                 {"x-ms-retry-after-ms", "120.5"},
                                                 {"x-ms-activity-id", "a1"},
                                                 {"x-ms-session-token", "0:-1#12"},
                                                 {"etag", "\"42\""},
                                                 {"x-ms-continuation", "c"},
                                                 {"x-ms-item-count", "3"}}));
  REQUIRE(meta);
  CHECK(meta->status == 429);
  CHECK(meta->request_charge == Approx(5.71));
  CHECK(meta->substatus == 3200);
  CHECK(meta->retry_after == std::chrono::milliseconds{121});
  CHECK(meta->activity_id == "a1");
  CHECK(meta->session_token == "0:-1#12");
  CHECK(meta->etag == "\"42\"");
  CHECK(meta->continuation == "c");
  CHECK(meta->item_count == 3);
  auto seconds = parse_response_meta(make_response(503, "", {{"Retry-After", "2"}}));
  REQUIRE(seconds);
  CHECK(seconds->retry_after == std::chrono::seconds{2});
  auto none = parse_response_meta(make_response(200, ""));
  REQUIRE(none);
  CHECK(none->substatus == 0);
  CHECK(none->request_charge == 0);
  CHECK_FALSE(none->retry_after);

  auto bad = [](const char* name, const char* value) {
    return failure(parse_response_meta(make_response(200, "", {{name, value}})));
  };
  CHECK(bad("x-ms-substatus", "x") ==
        "parse_error: response header x-ms-substatus is not an integer: 'x'");
  CHECK(bad("x-ms-request-charge", "-1") ==
        "parse_error: response header x-ms-request-charge is not a non-negative number: '-1'");
  CHECK(bad("x-ms-request-charge", "1.5RU") ==
        "parse_error: response header x-ms-request-charge is not a non-negative number: '1.5RU'");
  CHECK(bad("x-ms-retry-after-ms", "soon") ==
        "parse_error: response header x-ms-retry-after-ms is not a non-negative number: 'soon'");
  CHECK(bad("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT") ==
        "parse_error: response header Retry-After is not a number of seconds: 'Wed, 21 Oct "
        "2015 07:28:00 GMT'");
  CHECK(bad("x-ms-item-count", "-2") ==
        "parse_error: response header x-ms-item-count is not a non-negative integer: '-2'");
}

TEST_CASE("the account document of the capture parses", "[cosmos][client][parse]") {
  auto response = capture::response(captures::account_response);
  auto account = parse_account_properties(response.body);
  REQUIRE(account);
  CHECK(account->id == "127.0.0.1");
  REQUIRE(account->writable_locations.size() == 1);
  CHECK(account->writable_locations[0] ==
        account_location{"South Central US", "https://127.0.0.1:8081/"});
  CHECK(account->readable_locations == account->writable_locations);
  CHECK(account->default_consistency == "Session");
  CHECK_FALSE(account->multiple_write_locations);

  auto minimal = parse_account_properties(
      R"({"id":"a","writableLocations":[],"readableLocations":[],"enableMultipleWriteLocations":"true",
          "userConsistencyPolicy":{"defaultConsistencyLevel":"Strong"}})");
  REQUIRE(minimal);
  CHECK(minimal->multiple_write_locations);
  CHECK(minimal->default_consistency == "Strong");
  CHECK(minimal->writable_locations.empty());
}

TEST_CASE("bad account documents are refused with the field named", "[cosmos][client][parse]") {
  auto bad = [](std::string_view body) { return failure(parse_account_properties(body)); };
  CHECK(bad("") == "parse_error: database account: the body is empty");
  CHECK(bad("{\"id\":") == "parse_error: database account: the body is not JSON (at byte 7)");
  CHECK(bad("[]") == "parse_error: database account: expected a JSON object, got array");
  CHECK(bad(R"({"writableLocations":[],"readableLocations":[]})") ==
        "parse_error: database account: 'id' is missing");
  CHECK(bad(R"({"id":7,"writableLocations":[],"readableLocations":[]})") ==
        "parse_error: database account: 'id' must be a string, got number");
  CHECK(bad(R"({"id":"a","readableLocations":[]})") ==
        "parse_error: database account: 'writableLocations' is missing");
  CHECK(bad(R"({"id":"a","writableLocations":{},"readableLocations":[]})") ==
        "parse_error: database account: 'writableLocations' must be an array, got object");
  CHECK(bad(R"({"id":"a","writableLocations":["x"],"readableLocations":[]})") ==
        "parse_error: database account: 'writableLocations[0]' must be an object, got string");
  CHECK(bad(R"({"id":"a","writableLocations":[],"readableLocations":[{"name":"n"}]})") ==
        "parse_error: database account: readableLocations[0] needs a string "
        "'databaseAccountEndpoint'");
  CHECK(
      bad(R"({"id":"a","writableLocations":[{"databaseAccountEndpoint":"e"}],"readableLocations":[]})") ==
      "parse_error: database account: writableLocations[0] needs a string 'name'");
  CHECK(
      bad(R"({"id":"a","writableLocations":[],"readableLocations":[],"userConsistencyPolicy":1})") ==
      "parse_error: database account: 'userConsistencyPolicy' must be an object, got number");
  CHECK(bad(R"({"id":"a","writableLocations":[],"readableLocations":[],
               "userConsistencyPolicy":{"defaultConsistencyLevel":true}})") ==
        "parse_error: database account: 'userConsistencyPolicy.defaultConsistencyLevel' must be "
        "a string, got boolean");
  CHECK(
      bad(R"({"id":"a","writableLocations":[],"readableLocations":[],"enableMultipleWriteLocations":1})") ==
      "parse_error: database account: 'enableMultipleWriteLocations' must be a boolean, got "
      "number");
}

TEST_CASE("pkranges: the capture (numeric id), the reference sample, 304",
          "[cosmos][client][parse]") {
  auto captured = parse_pkranges(capture::response(captures::pkranges_response));
  REQUIRE(captured);
  REQUIRE(captured->ranges.size() == 1);
  CHECK(captured->ranges[0] == partition_key_range{"0", "", "FF", {}, "online"});
  CHECK_FALSE(captured->not_modified);

  // cosmos-wire.md §4.7 (from the .NET tests), with the A-IM form's etag header.
  auto sample = parse_pkranges(make_response(
      200,
      R"({"_rid":"3FIlAOzjvyg=","PartitionKeyRanges":[{"_rid":"3FIlAOzjvygCAAAAAAAAUA==","id":"0",
          "_etag":"\"00005565-0000-0800-0000-621fd98a0000\"","minInclusive":"","maxExclusive":"FF",
          "ridPrefix":0,"_self":"dbs/3FIlAA==/colls/3FIlAOzjvyg=/pkranges/3FIlAOzjvygCAAAAAAAAUA==/",
          "throughputFraction":1,"status":"online","parents":[],"_ts":1646254474,"_lsn":44}],
          "_count":1})",
      {{"etag", "483"}, {"x-ms-item-count", "1"}}));
  REQUIRE(sample);
  CHECK(sample->etag == "483");
  CHECK(sample->collection_rid == "3FIlAOzjvyg=");
  REQUIRE(sample->ranges.size() == 1);
  CHECK(sample->ranges[0].range() == epk_range{"", "FF", false});

  auto split = parse_pkranges(make_response(
      200,
      R"({"PartitionKeyRanges":[{"id":"1","minInclusive":"","maxExclusive":"20","parents":["0"]},
                                {"id":"2","minInclusive":"20","maxExclusive":"FF","parents":[0]}]})"));
  REQUIRE(split);
  CHECK(split->ranges[0].parents == std::vector<std::string>{"0"});
  CHECK(split->ranges[1].parents == std::vector<std::string>{"0"});

  auto unchanged = parse_pkranges(make_response(304, "", {{"etag", "483"}}));
  REQUIRE(unchanged);
  CHECK(unchanged->not_modified);
  CHECK(unchanged->etag == "483");
  CHECK(unchanged->ranges.empty());
}

TEST_CASE("bad pkranges responses are refused with the range and field named",
          "[cosmos][client][parse]") {
  auto bad = [](std::string body, int status = 200) {
    return failure(parse_pkranges(make_response(status, std::move(body))));
  };
  CHECK(bad("{}", 404) == "parse_error: partition key ranges: unexpected HTTP status 404");
  CHECK(bad("") == "parse_error: partition key ranges: the body is empty");
  CHECK(bad("{,}") == "parse_error: partition key ranges: the body is not JSON (at byte 2)");
  CHECK(bad("[]") == "parse_error: partition key ranges: expected a JSON object, got array");
  CHECK(bad("{}") == "parse_error: partition key ranges: 'PartitionKeyRanges' is missing");
  CHECK(bad(R"({"PartitionKeyRanges":{}})") ==
        "parse_error: partition key ranges: 'PartitionKeyRanges' must be an array, got object");
  CHECK(bad(R"({"PartitionKeyRanges":[1]})") ==
        "parse_error: partition key ranges: 'PartitionKeyRanges[0]' must be an object, got number");
  CHECK(bad(R"({"PartitionKeyRanges":[{"minInclusive":"","maxExclusive":"FF"}]})") ==
        "parse_error: partition key ranges: PartitionKeyRanges[0]: 'id' is missing");
  CHECK(bad(R"({"PartitionKeyRanges":[{"id":true,"minInclusive":"","maxExclusive":"FF"}]})") ==
        "parse_error: partition key ranges: PartitionKeyRanges[0]: 'id' must be a non-empty "
        "string or an integer, got boolean");
  CHECK(bad(R"({"PartitionKeyRanges":[{"id":"3","maxExclusive":"FF"}]})") ==
        "parse_error: partition key ranges: PartitionKeyRanges[0] (id 3): 'minInclusive' is "
        "missing");
  CHECK(bad(R"({"PartitionKeyRanges":[{"id":"3","minInclusive":"","maxExclusive":255}]})") ==
        "parse_error: partition key ranges: PartitionKeyRanges[0] (id 3): 'maxExclusive' must be "
        "a string, got number");
  CHECK(bad(R"({"PartitionKeyRanges":[{"id":"3","minInclusive":"0x20","maxExclusive":"FF"}]})") ==
        "parse_error: partition key ranges: PartitionKeyRanges[0] (id 3): 'minInclusive' is not "
        "a hex EPK: '0x20'");
  CHECK(
      bad(R"({"PartitionKeyRanges":[{"id":"3","minInclusive":"","maxExclusive":"FF","parents":"0"}]})") ==
      "parse_error: partition key ranges: PartitionKeyRanges[0] (id 3): 'parents' must be an "
      "array, got string");
  CHECK(
      bad(R"({"PartitionKeyRanges":[{"id":"3","minInclusive":"","maxExclusive":"FF","parents":[{}]}]})") ==
      "parse_error: partition key ranges: PartitionKeyRanges[0] (id 3): 'parents' holds a "
      "object, expected range ids");
  CHECK(bad(R"({"PartitionKeyRanges":[],"_count":"0"})") ==
        "parse_error: partition key ranges: '_count' must be an integer, got string");
  CHECK(bad(R"({"PartitionKeyRanges":[],"_count":2})") ==
        "parse_error: partition key ranges: '_count' is 2 but the body holds 0 ranges");
}

TEST_CASE("feed pages: the captured change feed, 304, session LSN and lag",
          "[cosmos][client][parse]") {
  auto page = parse_feed_page(capture::response(captures::cf_beginning_response));
  REQUIRE(page);
  CHECK_FALSE(page->not_modified);
  REQUIRE(page->documents.size() == 2);
  CHECK(
      page->documents[0] ==
      R"({"id":"x1","pk":"p","_etag":"1b0ff304-b41d-4af1-857d-b0f4eddce5f6","_rid":"gAABAIAAAAIBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAIBAAAAAAAAAA==/","_ts":1795263848})");
  CHECK(page->etag == "1");
  CHECK(page->request_charge == 1);
  CHECK(page->activity_id == "7d7a978c-d069-40cc-a776-16a0c9921af4");
  CHECK_FALSE(page->session_lsn); // that server sends no session token
  CHECK_FALSE(estimated_lag(*page));

  auto unchanged = parse_feed_page(capture::response(captures::cf_continuation_response));
  REQUIRE(unchanged);
  CHECK(unchanged->not_modified);
  CHECK(unchanged->documents.empty());
  CHECK(unchanged->etag == "1");

  // As the service answers: quoted LSN etag, session token, _lsn on documents.
  auto real = parse_feed_page(make_response(
      200,
      R"({"_rid":"AQAAAIEAAAA=","Documents":[{"id":"a","_lsn":40},{"id":"b","_lsn":41}],"_count":2})",
      {{"etag", "\"41\""}, {"x-ms-session-token", "0:-1#45"}, {"x-ms-request-charge", "2.5"}}));
  REQUIRE(real);
  CHECK(real->etag == "\"41\"");
  CHECK(real->session_lsn == 45);
  CHECK(real->first_lsn == 40);
  CHECK(estimated_lag(*real) == 6); // 45 - (40 - 1)
  auto caught_up = parse_feed_page(make_response(304, "", {{"x-ms-session-token", "0:-1#45"}}));
  REQUIRE(caught_up);
  CHECK(estimated_lag(*caught_up) == 0);
  auto read_feed = parse_feed_page(
      make_response(200, R"({"Documents":[],"_count":0})", {{"x-ms-continuation", "+RID:abc"}}));
  REQUIRE(read_feed);
  CHECK(read_feed->continuation == "+RID:abc");
  auto values = parse_feed_page(make_response(200, R"({"Documents":[42,"x",null],"_count":3})"));
  REQUIRE(values);
  CHECK(values->documents == std::vector<std::string>{"42", "\"x\"", "null"});
  CHECK_FALSE(values->first_lsn);
  // Several ranges in one token: no single LSN, not an error.
  auto multi = parse_feed_page(
      make_response(200, R"({"Documents":[]})", {{"x-ms-session-token", "0:-1#5,1:-1#7"}}));
  REQUIRE(multi);
  CHECK_FALSE(multi->session_lsn);
}

TEST_CASE("bad feed pages are refused with the field named", "[cosmos][client][parse]") {
  auto bad = [](std::string body, int status = 200, http_headers headers = {}) {
    return failure(parse_feed_page(make_response(status, std::move(body), std::move(headers))));
  };
  CHECK(bad("{}", 410) == "parse_error: feed page: unexpected HTTP status 410");
  CHECK(bad("") == "parse_error: feed page: the body is empty");
  CHECK(bad("{\"Documents\":[") == "parse_error: feed page: the body is not JSON (at byte 15)");
  CHECK(bad("\"x\"") == "parse_error: feed page: expected a JSON object, got string");
  CHECK(bad(R"({"_count":0})") == "parse_error: feed page: 'Documents' is missing");
  CHECK(bad(R"({"Documents":{}})") ==
        "parse_error: feed page: 'Documents' must be an array, got object");
  CHECK(bad(R"({"Documents":[{"_lsn":"7"}]})") ==
        "parse_error: feed page: 'Documents[0]._lsn' must be an integer, got string");
  CHECK(bad(R"({"Documents":[{}],"_count":2})") ==
        "parse_error: feed page: '_count' is 2 but 'Documents' holds 1");
  CHECK(bad(R"({"Documents":[],"_count":null})") ==
        "parse_error: feed page: '_count' must be an integer, got null");
  CHECK(bad(R"({"Documents":[]})", 200, {{"x-ms-session-token", "0:-1#x"}}) ==
        "parse_error: invalid session token '0:-1#x': the global LSN is not a non-negative "
        "integer");
  CHECK(bad(R"({"Documents":[]})", 200, {{"x-ms-request-charge", "lots"}}) ==
        "parse_error: response header x-ms-request-charge is not a non-negative number: 'lots'");
}

TEST_CASE("batch responses: the captures and per-operation failures", "[cosmos][client][parse]") {
  auto creates = parse_batch_response(capture::response(captures::batch_creates_response), 2);
  REQUIRE(creates);
  REQUIRE(creates->results.size() == 2);
  CHECK(creates->results[0].status == 201);
  CHECK(creates->results[0].succeeded());
  CHECK(creates->results[0].etag == "b95d81f5-8f92-4f55-8518-82fce2594b9a");
  CHECK(
      creates->results[0].resource_body ==
      R"({"id":"bb1","pk":"bp","_etag":"b95d81f5-8f92-4f55-8518-82fce2594b9a","_rid":"gAABAIAAAAEEAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEEAAAAAAAAAA==/","_ts":1795263849})");
  auto mixed = parse_batch_response(capture::response(captures::batch_per_op_pk_response), 3);
  REQUIRE(mixed);
  CHECK(mixed->results[1].status == 200);
  CHECK(mixed->results[2].status == 204);
  CHECK(mixed->results[2].resource_body.empty());
  auto bulk = parse_batch_response(capture::response(captures::bulk_response), 3);
  REQUIRE(bulk);
  CHECK(bulk->meta.activity_id == "640033de-6ced-4f3b-8b03-0c894286e73f");

  // cosmos-wire.md §6.2: a 207 with a conflict and a throttled operation.
  auto partial = parse_batch_response(
      make_response(
          207,
          R"([{"statusCode":201,"requestCharge":6.29,"eTag":"\"e1\"","resourceBody":{"id":"a"}},
                        {"statusCode":409,"subStatusCode":0,"requestCharge":1.24},
                        {"statusCode":429,"subStatusCode":3200,"requestCharge":0,"retryAfterMilliseconds":120}])",
          {{"x-ms-request-charge", "7.53"}}),
      3);
  REQUIRE(partial);
  CHECK(partial->meta.request_charge == Approx(7.53));
  CHECK(partial->results[0].etag == "\"e1\"");
  CHECK(partial->results[0].request_charge == Approx(6.29));
  CHECK(partial->results[1].status == 409);
  CHECK_FALSE(partial->results[1].succeeded());
  CHECK(partial->results[2].substatus == 3200);
  CHECK(partial->results[2].retry_after == std::chrono::milliseconds{120});
  CHECK_FALSE(partial->results[1].retry_after);
}

TEST_CASE("bad batch responses are refused with the result and field named",
          "[cosmos][client][parse]") {
  auto bad = [](std::string body, size_t ops = 1, int status = 200) {
    return failure(parse_batch_response(make_response(status, std::move(body)), ops));
  };
  CHECK(failure(parse_batch_response(capture::response(captures::batch_without_pk_response), 2)) ==
        "parse_error: batch response: HTTP 500 is not a batch result (the whole request failed)");
  CHECK(bad("") == "parse_error: batch response: the body is empty");
  CHECK(bad("[{") == "parse_error: batch response: the body is not JSON (at byte 3)");
  CHECK(bad("{}") == "parse_error: batch response: expected a JSON array, got object");
  CHECK(bad(R"([{"statusCode":200}])", 2) ==
        "parse_error: batch response: 1 results for 2 operations");
  CHECK(bad("[7]") == "parse_error: batch response: result 0 must be an object, got number");
  CHECK(bad(R"([{"requestCharge":1}])") ==
        "parse_error: batch response: result 0: 'statusCode' is missing");
  CHECK(bad(R"([{"statusCode":"201"}])") ==
        "parse_error: batch response: result 0: 'statusCode' must be an HTTP status, got \"201\"");
  CHECK(bad(R"([{"statusCode":42}])") ==
        "parse_error: batch response: result 0: 'statusCode' must be an HTTP status, got 42");
  CHECK(bad(R"([{"statusCode":201},{"statusCode":409,"subStatusCode":"x"}])", 2) ==
        "parse_error: batch response: result 1: 'subStatusCode' must be an integer, got string");
  CHECK(bad(R"([{"statusCode":201,"requestCharge":-1}])") ==
        "parse_error: batch response: result 0: 'requestCharge' must be a non-negative number, "
        "got -1");
  CHECK(bad(R"([{"statusCode":429,"retryAfterMilliseconds":"1s"}])") ==
        "parse_error: batch response: result 0: 'retryAfterMilliseconds' must be a non-negative "
        "number, got \"1s\"");
  CHECK(bad(R"([{"statusCode":201,"eTag":5}])") ==
        "parse_error: batch response: result 0: 'eTag' must be a string, got number");
}

TEST_CASE("error responses: code, message, substatus, retry-after, activity id",
          "[cosmos][client][parse]") {
  auto not_found = parse_service_error(capture::response(captures::read_item_404_response));
  REQUIRE(not_found);
  CHECK(not_found->status() == 404);
  CHECK(not_found->code == "NotFound");
  CHECK(not_found->message == "Entity with the specified id does not exist in the system.,");
  CHECK(render(to_error(*not_found)) ==
        "not_found: HTTP 404 NotFound: Entity with the specified id does not exist in the "
        "system., (activity id 3cae5aab-947f-465e-9a62-69e8430a6e6c)");

  auto throttled =
      parse_service_error(make_response(429, R"({"code":"429","message":"Request rate is large."})",
                                        {{"x-ms-substatus", "3200"},
                                         {"x-ms-retry-after-ms", "250"},
                                         {"x-ms-request-charge", "0.38"},
                                         {"x-ms-activity-id", "act"}}));
  REQUIRE(throttled);
  CHECK(throttled->substatus() == 3200);
  CHECK(throttled->meta.retry_after == std::chrono::milliseconds{250});
  CHECK(throttled->meta.request_charge == Approx(0.38));
  CHECK(render(to_error(*throttled)) ==
        "overloaded: HTTP 429/3200 429: Request rate is large. (activity id act)");

  auto gone = parse_service_error(
      make_response(410, R"({"code":"Gone","message":"split"})", {{"x-ms-substatus", "1002"}}));
  REQUIRE(gone);
  CHECK(render(to_error(*gone)) == "http_error: HTTP 410/1002 Gone: split");
  auto conflict = parse_service_error(make_response(409, R"({"code":"Conflict","message":"x"})"));
  REQUIRE(conflict);
  CHECK(render(to_error(*conflict)) == "conflict: HTTP 409 Conflict: x");
  auto forbidden =
      parse_service_error(make_response(401, R"({"code":"Unauthorized","message":"sig"})"));
  REQUIRE(forbidden);
  CHECK(render(to_error(*forbidden)) == "unauthorized: HTTP 401 Unauthorized: sig");
}

TEST_CASE("odd error bodies still give an error that says what was there",
          "[cosmos][client][parse]") {
  auto parse = [](std::string body, int status = 500) {
    auto err = parse_service_error(make_response(status, std::move(body)));
    REQUIRE(err);
    return *err;
  };
  CHECK(parse("").message == "(empty body)");
  CHECK(parse("<html>Bad Gateway</html>", 502).message ==
        "(body is not a JSON object) <html>Bad Gateway</html>");
  CHECK(parse("[1]").message == "(body is not a JSON object) [1]");
  CHECK(parse(std::string(300, 'x')).message ==
        "(body is not a JSON object) " + std::string(120, 'x') + "...");
  auto typed = parse(R"({"code":404,"message":{"text":"x"}})");
  CHECK(typed.code == "(code is a number)");
  CHECK(typed.message == R"((message is a object) {"code":404,"message":{"text":"x"}})");
  CHECK(parse(R"({"code":"BadRequest"})", 400).message == R"((no message) {"code":"BadRequest"})");
  CHECK(parse(R"({"message":""})", 404).message.empty());

  CHECK(failure(parse_service_error(make_response(200, "{}"))) ==
        "invalid_argument: HTTP 200 is not an error response");
  // A header that does not parse is noted; the error itself stays.
  auto odd_header =
      parse_service_error(make_response(429, R"({"code":"TooManyRequests","message":"slow down"})",
                                        {{"x-ms-retry-after-ms", "x"}, {"x-ms-activity-id", "a"}}));
  REQUIRE(odd_header);
  CHECK(odd_header->status() == 429);
  CHECK(odd_header->meta.activity_id == "a");
  CHECK_FALSE(odd_header->meta.retry_after);
  CHECK(odd_header->message == "slow down [response header x-ms-retry-after-ms is not a "
                               "non-negative number: 'x']");
}

TEST_CASE("containers: the captured one and a V2 definition", "[cosmos][client][parse]") {
  auto captured =
      parse_container_properties(capture::response(captures::create_container_response).body);
  REQUIRE(captured);
  CHECK(captured->id == "cc");
  CHECK(captured->rid == "gAABAIAAAAE=");
  CHECK(captured->partition_key.paths == std::vector<std::string>{"/pk"});
  CHECK(captured->partition_key.version == 1); // no version given: V1
  CHECK(captured->partition_key.kind == partition_kind::hash);
  CHECK_FALSE(captured->default_ttl);
  auto v2 = parse_container_properties(
      R"({"id":"c","_rid":"AQAAAIEAAAA=","defaultTtl":-1,
          "partitionKey":{"paths":["/t","/u"],"kind":"MultiHash","version":2}})");
  REQUIRE(v2);
  CHECK(v2->partition_key.kind == partition_kind::multi_hash);
  CHECK(v2->partition_key.version == 2);
  CHECK(v2->default_ttl == -1);
}

TEST_CASE("bad containers are refused with the field named", "[cosmos][client][parse]") {
  auto bad = [](std::string_view body) { return failure(parse_container_properties(body)); };
  CHECK(bad("") == "parse_error: container: the body is empty");
  CHECK(bad("nope") == "parse_error: container: the body is not JSON (at byte 2)");
  CHECK(bad("[]") == "parse_error: container: expected a JSON object, got array");
  CHECK(bad(R"({"_rid":"r","partitionKey":{"paths":["/pk"]}})") ==
        "parse_error: container: 'id' is missing");
  CHECK(bad(R"({"id":"c","_rid":5,"partitionKey":{"paths":["/pk"]}})") ==
        "parse_error: container: '_rid' must be a string, got number");
  CHECK(bad(R"({"id":"c","_rid":"r"})") == "parse_error: container: 'partitionKey' is missing");
  CHECK(bad(R"({"id":"c","_rid":"r","partitionKey":{"paths":[]}})") ==
        "parse_error: container: invalid partition key definition: 'paths' must be a non-empty "
        "array");
  CHECK(bad(R"({"id":"c","_rid":"r","partitionKey":{"paths":["/pk"],"version":3}})") ==
        "parse_error: container: invalid partition key definition: unsupported version 3 "
        "(expected 1 or 2)");
  CHECK(bad(R"({"id":"c","_rid":"r","partitionKey":{"paths":["/pk"]},"defaultTtl":"1h"})") ==
        "parse_error: container: 'defaultTtl' must be an integer, got string");
}

TEST_CASE("feed pages: documents are split out of the body's text, compact, each byte of their "
          "strings as sent",
          "[cosmos][client][parse]") {
  // The page is not parsed into a DOM and dumped again: member order, escapes and number
  // spellings stay as the service sent them; whitespace outside strings goes.
  std::string body = "{ \"_rid\" : \"x\" , \"Documents\" : [ "
                     R"({"id":"a","s":"br]ack}{ets, \"quotes\" \\ and \u00e9","n":1.0E2,)"
                     R"( "nested" : { "arr" : [ 1 , [ ] , { } , "]" ] } , "_lsn" : 12 } ,)"
                     "\n\t{\"id\":\"b\",\"_lsn\":13}\r\n ] , \"_count\" : 2 }";
  auto page = parse_feed_page(make_response(200, body, {{"etag", "\"13\""}}));
  REQUIRE(page);
  REQUIRE(page->documents.size() == 2);
  CHECK(page->documents[0] == R"({"id":"a","s":"br]ack}{ets, \"quotes\" \\ and \u00e9","n":1.0E2,)"
                              R"("nested":{"arr":[1,[],{},"]"]},"_lsn":12})");
  CHECK(page->documents[1] == R"({"id":"b","_lsn":13})");
  CHECK(page->first_lsn == 12);
  // Each document is the same JSON as the full parse gives.
  auto full = nlohmann::json::parse(body)["Documents"];
  for (size_t i = 0; i < 2; ++i)
    CHECK(nlohmann::json::parse(page->documents[i]) == full[i]);
  // Values of SELECT VALUE pages, an empty page, and a page without _count.
  auto values = parse_feed_page(make_response(200, R"({"Documents":[ 42 , "x,]" ,null,-1.5e3]})"));
  REQUIRE(values);
  CHECK(values->documents == std::vector<std::string>{"42", "\"x,]\"", "null", "-1.5e3"});
  auto empty = parse_feed_page(make_response(200, R"({"Documents":[],"_count":0})"));
  REQUIRE(empty);
  CHECK(empty->documents.empty());
}

TEST_CASE("feed pages: strings ending in backslashes, and bodies only the full parse takes",
          "[cosmos][client][parse]") {
  // A quote after an even number of backslashes ends the string; after an odd number it is
  // part of it.
  std::string body = R"({"Documents":[{"a":"x\\\\","b":"\\\"}{","c":"\\"}, {"d":"\""}]})";
  auto page = parse_feed_page(make_response(200, body));
  INFO((page ? std::string{} : render(page.error())));
  REQUIRE(page);
  REQUIRE(page->documents.size() == 2);
  CHECK(page->documents[0] == R"({"a":"x\\\\","b":"\\\"}{","c":"\\"})");
  CHECK(page->documents[1] == R"({"d":"\""})");
  // Nesting deeper than simdjson's limit (1024): the fast validation refuses it, the full parse
  // takes the page.
  std::string deep = std::string(1100, '[') + std::string(1100, ']');
  auto nested =
      parse_feed_page(make_response(200, R"({"Documents":[{"id":"h","deep":)" + deep + "}]}"));
  REQUIRE(nested);
  REQUIRE(nested->documents.size() == 1);
  CHECK(nested->documents[0] == R"({"id":"h","deep":)" + deep + "}");
  // Invalid UTF-8 inside a string: refused by both, and the error says so.
  auto bad = parse_feed_page(make_response(200, "{\"Documents\":[{\"id\":\"\xff\"}]}"));
  REQUIRE_FALSE(bad);
}
