#include "jobs/change_feed/feed_dead_letter.hpp"
#include "jobs/change_feed/feed_report.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bulkd;

TEST_CASE("feed report: JSON with unknown lags as null", "[feed_report]") {
  feed_report r;
  r.job = "orders";
  r.instance = "host-a";
  r.delivered = 1200;
  r.batches = 3;
  r.caught_up = true;
  r.ranges = {{"0", "\"42\"", true, range_lag{0, 0}, 1000}, {"1", "", false, {}, 200}};
  r.seconds = 2.0;
  auto j = nlohmann::json::parse(to_json(r));
  CHECK(j["kind"] == "change-feed");
  CHECK(j["error"].is_null());
  CHECK(j["delivered"] == 1200);
  CHECK(j["ranges"][0]["lag_items"] == 0);
  CHECK(j["ranges"][1]["lag_items"].is_null());
  CHECK(j["ranges"][1]["lag_seconds"].is_null());
  auto text = render_summary(r);
  CHECK_THAT(text, Catch::Contains("change-feed orders: ok (caught up)"));
  CHECK_THAT(text, Catch::Contains("1200 changes in 3 batches (600/s)"));
  CHECK_THAT(text, Catch::Contains("range 1  lag unknown"));
  r.ok = false;
  r.error = "worker_failed: the sink gave up";
  text = render_summary(r);
  CHECK_THAT(text, Catch::Contains("FAILED"));
  CHECK_THAT(text, Catch::Contains("error: worker_failed: the sink gave up"));
  CHECK_THAT(render_progress_line(r), Catch::Contains("worst lag 0 items"));
}

TEST_CASE("feed dead letter: one line per batch, documents in feed order", "[feed_report]") {
  change_batch b;
  b.job = "orders";
  b.range_id = "3";
  b.sequence = 17;
  b.continuation = "\"4711\"";
  b.documents = {R"({"id":"b","z":1,"a":2})", R"({"id":"a"})", "not json"};
  auto at = parse_rfc3339("2026-11-21T22:00:00.250Z");
  REQUIRE(at);
  auto line = feed_dead_letter_line(b, "http sink failed batch 3#17: 400", *at);
  CHECK(line.find('\n') == std::string::npos);
  CHECK_THAT(line, Catch::Contains(R"({"id":"b","z":1,"a":2})")); // member order kept
  auto j = nlohmann::json::parse(line);
  CHECK(j["time"] == "2026-11-21T22:00:00.250Z");
  CHECK(j["range"] == "3");
  CHECK(j["sequence"] == 17);
  CHECK(j["continuation"] == "\"4711\"");
  CHECK(j["error"] == "http sink failed batch 3#17: 400");
  REQUIRE(j["documents"].size() == 3);
  CHECK(j["documents"][1]["id"] == "a");
  CHECK(j["documents"][2] == "not json"); // kept as text
}
