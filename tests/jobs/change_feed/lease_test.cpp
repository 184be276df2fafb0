// The lease model: its JSON form (SDK field names), bad input, and which ranges still need a
// lease.

#include "clients/error.hpp"
#include "jobs/change_feed/lease.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

lease sample() {
  lease l;
  l.id = "orders-feed.shop.orders..3";
  l.range = {"3", "3F", "7F"};
  l.owner = "host-a";
  l.continuation = "\"42\"";
  l.timestamp = utc_time{1'700'000'000'250ms};
  l.parent = "1";
  l.start_from = "2026-11-21T19:30:00Z";
  l.etag = "\"7\"";
  return l;
}

std::string parse_failure(const std::string& text) {
  auto l = parse_lease(text);
  REQUIRE_FALSE(l);
  CHECK(l.error().code() == static_cast<uint8_t>(ec::parse_error));
  return render(l.error());
}

constexpr const char* valid =
    R"({"id":"j..0","LeaseToken":"0","FeedRange":{"Range":{"min":"","max":"FF"}},"Owner":"a",)"
    R"("ContinuationToken":null,"timestamp":"2026-11-21T19:30:00Z"})";

// `valid` with one field replaced (or removed when `value` is empty).
std::string with(const std::string& field, const std::string& value) {
  auto j = std::string{valid};
  auto key = "\"" + field + "\":";
  auto at = j.find(key);
  REQUIRE(at != std::string::npos);
  auto end = at + key.size();
  int depth = 0;
  for (; end < j.size(); ++end) {
    char c = j[end];
    if (c == '{')
      ++depth;
    else if (c == '}' && depth-- == 0)
      break;
    else if (c == ',' && depth == 0)
      break;
  }
  if (value.empty()) {
    // Drop the field and one comma.
    if (j[end] == ',')
      ++end;
    else if (j[at - 1] == ',')
      --at;
    return j.erase(at, end - at);
  }
  return j.replace(at + key.size(), end - at - key.size(), value);
}

} // namespace

TEST_CASE("lease: JSON round trip keeps every field, _etag only when asked", "[jobs][lease]") {
  auto l = sample();
  auto text = to_json(l, true);
  CHECK(text.find(R"("LeaseToken":"3")") != std::string::npos);
  CHECK(text.rfind(R"({"id":"orders-feed.shop.orders..3","LeaseToken":"3",)", 0) == 0);
  CHECK(text.find(R"("FeedRange":{"Range":{"min":"3F","max":"7F"}})") != std::string::npos);
  CHECK(text.find(R"("ContinuationToken":"\"42\"")") != std::string::npos);
  CHECK(text.find(R"("timestamp":"2023-11-14T22:13:20.250Z")") != std::string::npos);
  CHECK(text.find(R"("StartFrom":"2026-11-21T19:30:00Z")") != std::string::npos);
  auto back = parse_lease(text);
  REQUIRE(back);
  CHECK(*back == l);
  auto without = parse_lease(to_json(l));
  REQUIRE(without);
  CHECK(without->etag.empty());
}

TEST_CASE("lease: a free, never checkpointed lease writes Owner \"\" and ContinuationToken null",
          "[jobs][lease]") {
  lease l;
  l.id = "j..0";
  l.range = {"0", "", "FF"};
  auto text = to_json(l);
  CHECK(text.find(R"("Owner":"")") != std::string::npos);
  CHECK(text.find(R"("ContinuationToken":null)") != std::string::npos);
  CHECK(text.find("Parent") == std::string::npos);
  CHECK(text.find("StartFrom") == std::string::npos);
  auto back = parse_lease(text);
  REQUIRE(back);
  CHECK(back->free());
  CHECK(back->continuation.empty());
  CHECK(back->start_from.empty());
}

TEST_CASE("lease: a Cosmos document with system properties and Owner null parses",
          "[jobs][lease]") {
  auto l = parse_lease(
      R"({"id":"j..2","LeaseToken":"2","FeedRange":{"Range":{"min":"20","max":"40"}},)"
      R"("Owner":null,"ContinuationToken":"\"9\"","timestamp":"2026-01-31T12:00:00.5Z",)"
      R"("_rid":"AQAAAIEAAAABAAAAAAAAAA==","_self":"x","_etag":"\"0000d2-01\"","_ts":1769860800,)"
      R"("_attachments":"attachments/"})");
  REQUIRE(l);
  CHECK(l->free());
  CHECK(l->range == lease_range{"2", "20", "40"});
  CHECK(l->continuation == "\"9\"");
  CHECK(l->etag == "\"0000d2-01\"");
  CHECK(format_rfc3339(l->timestamp) == "2026-01-31T12:00:00.500Z");
}

TEST_CASE("lease: bad input names the field", "[jobs][lease][bad_input]") {
  REQUIRE(parse_lease(valid));
  CHECK(parse_failure("{") == "parse_error: lease: not JSON");
  CHECK(parse_failure("[]") == "parse_error: lease: must be a JSON object, not array");
  CHECK(parse_failure(with("id", "")) == "parse_error: lease: \"id\" is missing");
  CHECK(parse_failure(with("id", "\"\"")) == "parse_error: lease: \"id\" is empty");
  CHECK(parse_failure(with("LeaseToken", "0")) ==
        "parse_error: lease: \"LeaseToken\" must be a string, not number");
  CHECK(parse_failure(with("LeaseToken", "")) == "parse_error: lease: \"LeaseToken\" is missing");
  CHECK(parse_failure(with("FeedRange", "")) == "parse_error: lease: \"FeedRange\" is missing");
  CHECK(parse_failure(with("FeedRange", "\"0\"")) ==
        "parse_error: lease: \"FeedRange\" must be an object, not string");
  CHECK(parse_failure(with("FeedRange", R"({"PKRangeId":"0"})")) ==
        "parse_error: lease: \"FeedRange\" must hold a \"Range\" object "
        "{\"min\":...,\"max\":...}");
  CHECK(parse_failure(with("FeedRange", R"({"Range":{"min":0,"max":"FF"}})")) ==
        "parse_error: lease: \"FeedRange.Range.min\" must be a string");
  CHECK(parse_failure(with("FeedRange", R"({"Range":{"min":""}})")) ==
        "parse_error: lease: \"FeedRange.Range.max\" must be a string");
  CHECK(parse_failure(with("FeedRange", R"({"Range":{"min":"7F","max":"3F"}})")) ==
        "parse_error: lease: \"FeedRange\" is empty: min \"7F\" is not below max \"3F\"");
  CHECK(parse_failure(with("Owner", "1")) ==
        "parse_error: lease: \"Owner\" must be a string or null, not number");
  CHECK(parse_failure(with("ContinuationToken", "{}")) ==
        "parse_error: lease: \"ContinuationToken\" must be a string or null, not object");
  CHECK(parse_failure(with("timestamp", "")) == "parse_error: lease: \"timestamp\" is missing");
  CHECK(parse_failure(with("timestamp", "1700000000")) ==
        "parse_error: lease: \"timestamp\" must be a string, not number");
  CHECK(parse_failure(with("timestamp", "\"yesterday\"")) ==
        "parse_error: lease: \"timestamp\" is not an RFC 3339 time: \"yesterday\"");
  CHECK(parse_failure(with("Owner", "\"a\",\"Parent\":[]")) ==
        "parse_error: lease: \"Parent\" must be a string or null, not array");
  CHECK(parse_failure(with("Owner", "\"a\",\"StartFrom\":5")) ==
        "parse_error: lease: \"StartFrom\" must be a string or null, not number");
  CHECK(parse_failure(with("Owner", "\"a\",\"StartFrom\":\"yesterday\"")) ==
        "parse_error: lease: \"StartFrom\" is not beginning, now or an RFC 3339 time: "
        "\"yesterday\"");
  for (auto ok : {"beginning", "now", "2026-11-21T19:30:00.5+01:00"}) {
    auto l = parse_lease(with("Owner", std::string{"\"a\",\"StartFrom\":\""} + ok + "\""));
    REQUIRE(l);
    CHECK(l->start_from == ok);
  }
  CHECK(parse_failure(with("Owner", "\"a\",\"_etag\":5")) ==
        "parse_error: lease: \"_etag\" must be a string or null, not number");
}

TEST_CASE("lease: expiry follows timestamp + expiration < now, free counts as expired",
          "[jobs][lease]") {
  auto l = sample();
  CHECK_FALSE(l.expired(l.timestamp + 60s, 60s));
  CHECK(l.expired(l.timestamp + 60s + 1ms, 60s));
  l.owner.clear();
  CHECK(l.expired(l.timestamp, 60s));
}

TEST_CASE("lease: ids and prefixes", "[jobs][lease]") {
  CHECK(lease_prefix("orders-feed", "shop", "orders") == "orders-feed.shop.orders");
  CHECK(lease_id("orders-feed.shop.orders", "12") == "orders-feed.shop.orders..12");
}

TEST_CASE("lease: missing ranges skip those covered by token or by an unsplit parent",
          "[jobs][lease]") {
  lease parent;
  parent.range = {"0", "", "80"};
  lease other;
  other.range = {"1", "80", "FF"};
  // After a split of 0 into 2 and 3 (not handled yet) and a brand-new range elsewhere.
  std::vector<lease_range> wanted{{"2", "", "40"}, {"3", "40", "80"}, {"1", "80", "FF"}};
  CHECK(missing_ranges({parent, other}, wanted).empty());
  CHECK(missing_ranges({other}, wanted) ==
        std::vector<lease_range>{{"2", "", "40"}, {"3", "40", "80"}});
  CHECK(missing_ranges({}, wanted) == wanted);
}
