#include "clients/error.hpp"
#include "jobs/change_feed/http_sink_policy.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

http_sink spec_with(std::map<std::string, secret> headers = {}) {
  http_sink s;
  s.url = "https://hooks.example.com:8443/feed/in?token=abc";
  s.headers = std::move(headers);
  s.timeout = 7s;
  return s;
}

change_batch batch() {
  change_batch b;
  b.job = "orders-feed";
  b.range_id = "3";
  b.continuation = "\"17\"";
  b.sequence = 12;
  b.documents = {R"({"id":"a","n":1})", R"({"id":"b","s":"x,y"})"};
  return b;
}

std::chrono::system_clock::time_point at(int64_t s) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{s}};
}

} // namespace

TEST_CASE("http sink request: POST of a JSON array with the batch headers", "[http_sink]") {
  auto tmpl = http_sink_request_template(spec_with({{"Authorization", secret{"Bearer s3cr3t"}}}));
  REQUIRE(tmpl);
  auto req = http_sink_request(*tmpl, batch());
  CHECK(req.method == "POST");
  CHECK(req.origin == "https://hooks.example.com:8443");
  CHECK(req.target == "/feed/in?token=abc");
  CHECK(req.timeout == 7s);
  CHECK(req.body == R"([{"id":"a","n":1},{"id":"b","s":"x,y"}])");
  CHECK(nlohmann::json::parse(req.body).size() == 2);
  CHECK(req.headers.value("content-type") == "application/json");
  CHECK(req.headers.value("Authorization") == "Bearer s3cr3t");
  CHECK(req.headers.value("x-bulkd-job") == "orders-feed");
  CHECK(req.headers.value("x-bulkd-range") == "3");
  CHECK(req.headers.value("x-bulkd-sequence") == "12");
  CHECK(req.headers.value("x-bulkd-count") == "2");
  // The template is reused: a second batch does not inherit the first one's headers.
  auto empty = batch();
  empty.documents.clear();
  empty.sequence = 13;
  auto req2 = http_sink_request(*tmpl, empty);
  CHECK(req2.body == "[]");
  CHECK(req2.headers.value("x-bulkd-sequence") == "13");
  CHECK(req2.headers.value("x-bulkd-count") == "0");
  CHECK(std::count_if(req2.headers.begin(), req2.headers.end(),
                      [](auto& f) { return iequals(f.first, "x-bulkd-sequence"); }) == 1);
}

TEST_CASE("http sink request: bad specs are refused without showing secrets", "[http_sink]") {
  SECTION("reserved header") {
    for (auto name : {"Content-Type", "content-length", "Host", "X-Bulkd-Sequence"}) {
      auto tmpl = http_sink_request_template(spec_with({{name, secret{"v"}}}));
      REQUIRE_FALSE(tmpl);
      CHECK(render(tmpl.error()) == std::string{"invalid_argument: http sink header '"} + name +
                                        "' is set by bulkd and cannot be configured");
    }
  }
  SECTION("line break in a value") {
    auto tmpl = http_sink_request_template(spec_with({{"X-Key", secret{"abc\r\nX-Evil: 1"}}}));
    REQUIRE_FALSE(tmpl);
    CHECK(render(tmpl.error()) ==
          "invalid_argument: http sink header 'X-Key' has a line break or NUL in its value");
  }
  SECTION("bad url") {
    auto spec = spec_with();
    spec.url = "ftp://example.com/x?token=hidden";
    auto tmpl = http_sink_request_template(spec);
    REQUIRE_FALSE(tmpl);
    auto text = render(tmpl.error());
    CHECK(text.rfind("invalid_argument: http sink url: ", 0) == 0);
    CHECK(text.find("hidden") == std::string::npos);
  }
}

TEST_CASE("http sink classifies every status explicitly", "[http_sink]") {
  for (int s = 100; s <= 599; ++s) {
    INFO(s);
    auto v = classify_http_sink_status(s);
    if (s >= 200 && s < 300)
      CHECK(v == sink_verdict::ack);
    else if (s == 408 || s == 429 || s >= 500)
      CHECK(v == sink_verdict::retry);
    else
      CHECK(v == sink_verdict::fail); // 1xx, 3xx (not followed), other 4xx
  }
  CHECK(classify_http_sink_status(0) == sink_verdict::fail);
  CHECK(classify_http_sink_status(600) == sink_verdict::fail);
  CHECK(std::string{to_string(sink_verdict::retry)} == "retry");
}

TEST_CASE("http sink classifies transport errors", "[http_sink]") {
  CHECK(classify_http_sink_error(make_error(ec::connection_failed, "reset")) ==
        sink_verdict::retry);
  CHECK(classify_http_sink_error(make_error(ec::timeout, "slow")) == sink_verdict::retry);
  CHECK(classify_http_sink_error(make_error(ec::overloaded, "full")) == sink_verdict::retry);
  CHECK(classify_http_sink_error(make_error(ec::tls_error, "cert")) == sink_verdict::fail);
  CHECK(classify_http_sink_error(make_error(ec::invalid_argument, "url")) == sink_verdict::fail);
  CHECK(classify_http_sink_error(make_error(ec::shutting_down, "bye")) == sink_verdict::fail);
}

TEST_CASE("http sink reads Retry-After as seconds or an HTTP date", "[http_sink]") {
  auto now = at(1'700'000'000); // Tue, 14 Nov 2023 22:13:20 GMT
  auto with = [](std::string v) { return http_headers{{"Retry-After", std::move(v)}}; };
  CHECK(http_sink_retry_after(with("3"), now) == 3000ms);
  CHECK(http_sink_retry_after(with(" 0 "), now) == 0ms);
  CHECK(http_sink_retry_after(with("Tue, 14 Nov 2023 22:13:25 GMT"), now) == 5000ms);
  CHECK(http_sink_retry_after(with("Tue, 14 Nov 2023 22:00:00 GMT"), now) == 0ms); // past
  CHECK(http_sink_retry_after(with("86400"), now) == max_retry_after);
  // Malformed or absent: the backoff decides.
  CHECK_FALSE(http_sink_retry_after(with("-1"), now));
  CHECK_FALSE(http_sink_retry_after(with("soon"), now));
  CHECK_FALSE(http_sink_retry_after(with("1.5"), now));
  CHECK_FALSE(http_sink_retry_after({}, now));

  http_response res;
  res.status = 429;
  res.headers = with("2");
  auto d = classify_http_sink_response(res, now);
  CHECK(d.verdict == sink_verdict::retry);
  CHECK(d.retry_after == 2000ms);
  res.status = 503;
  CHECK(classify_http_sink_response(res, now).retry_after == 2000ms);
  res.status = 400; // not retried: its Retry-After means nothing
  d = classify_http_sink_response(res, now);
  CHECK(d.verdict == sink_verdict::fail);
  CHECK_FALSE(d.retry_after);
  res.status = 204;
  CHECK(classify_http_sink_response(res, now).verdict == sink_verdict::ack);
}

TEST_CASE("http sink body excerpts mask secrets and stay short", "[http_sink]") {
  auto secrets = http_sink_secrets(spec_with(
      {{"Authorization", secret{"Bearer tok-123"}}, {"X-Key", secret{"tok"}}, {"X-E", secret{}}}));
  REQUIRE(secrets == std::vector<std::string>{"Bearer tok-123", "tok"});
  CHECK(body_excerpt("bad header Bearer tok-123 and tok\r\n", secrets) ==
        "bad header *** and ***  ");
  CHECK(body_excerpt("", secrets) == "");
  CHECK(body_excerpt(std::string(300, 'a'), secrets, 10) == "aaaaaaaaaa...");
  // A secret across the cut is masked before cutting.
  CHECK(body_excerpt("0123456Bearer tok-123 rest", secrets, 10) == "0123456***...");
  // No half UTF-8 sequence at the cut.
  CHECK(body_excerpt("abcdefghi\xc3\xa9xyz", {}, 10) == "abcdefghi...");
  CHECK(body_excerpt("abcdefgh\xc3\xa9xyz", {}, 10) == "abcdefgh\xc3\xa9...");
  CHECK(body_excerpt("abcdefg\xe2\x82\xac", {}, 9) == "abcdefg...");
}
