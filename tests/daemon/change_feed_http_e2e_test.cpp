// End-to-end: `bulkd run` of a change-feed job with the http sink against a receiver in this test
// (httplib::Server on 127.0.0.1, an ephemeral port): 30% of the POSTs answered 503 still deliver
// every document; a batch with a poison document (answered 400) is dead-lettered and the feed
// goes on, or, with on_failure: stop, fails the run naming the batch.

#include "tests/daemon/change_feed_test_support.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace bulkd::feed_test;

namespace {

/// The receiver of the http sink: POST /hook with a JSON array of documents. `decide` picks the
/// status of each request (called under the lock); the documents of 2xx answers are tallied.
class hook_server {
public:
  using decide_fn = std::function<int(const nlohmann::json& batch)>;

  explicit hook_server(decide_fn decide) : decide_(std::move(decide)) {
    srv_.new_task_queue = [] { return new httplib::ThreadPool(8); };
    srv_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      auto batch = nlohmann::json::parse(req.body, nullptr, false);
      std::lock_guard<std::mutex> guard{mu_};
      ++requests_;
      if (!batch.is_array() || req.get_header_value("x-bulkd-job") != "f" ||
          req.get_header_value("x-bulkd-range").empty() ||
          req.get_header_value("x-bulkd-count") != std::to_string(batch.size())) {
        ++malformed_;
        res.status = 422;
        return;
      }
      res.status = decide_(batch);
      ++statuses_[res.status];
      if (res.status / 100 == 2)
        for (auto& doc : batch)
          received_.add_document(doc);
      res.set_content("{}", "application/json");
    });
    port_ = srv_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread{[this] { srv_.listen_after_bind(); }};
  }

  ~hook_server() {
    srv_.stop();
    if (thread_.joinable())
      thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int port() const { return port_; }

  seq_tally received() {
    std::lock_guard<std::mutex> guard{mu_};
    return received_;
  }

  bool has_all(int64_t from, int64_t to) {
    std::lock_guard<std::mutex> guard{mu_};
    return received_.has_all(from, to);
  }

  std::map<int, size_t> statuses() {
    std::lock_guard<std::mutex> guard{mu_};
    return statuses_;
  }

  size_t malformed() {
    std::lock_guard<std::mutex> guard{mu_};
    return malformed_;
  }

private:
  decide_fn decide_;
  httplib::Server srv_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  seq_tally received_;
  std::map<int, size_t> statuses_;
  size_t requests_ = 0;
  size_t malformed_ = 0;
};

bool has_poison(const nlohmann::json& batch) {
  for (auto& doc : batch)
    if (doc.is_object() && doc.contains("poison") && doc["poison"] == true)
      return true;
  return false;
}

std::string http_sink_yaml(const hook_server& srv, int max_attempts = 20) {
  return "{ type: http, url: \"" + srv.url() +
         "\", timeout: 5s,\n        retry: { max_attempts: " + std::to_string(max_attempts) +
         ", initial_backoff: 10ms, max_backoff: 200ms } }";
}

/// Upserts documents [from, to) one by one, in this order; `poison` marks one.
void write_in_order(int port, int64_t from, int64_t to, std::optional<int64_t> poison = {}) {
  cosmos_api api{port};
  for (auto seq = from; seq < to; ++seq)
    REQUIRE(api.upsert("db", "c", doc_pk(seq), doc_json(seq, poison && *poison == seq)));
}

/// The dead-letter file's lines, parsed.
std::vector<nlohmann::json> dead_letters(const fs::path& p) {
  std::vector<nlohmann::json> out;
  if (!fs::exists(p))
    return out;
  std::ifstream in{p};
  for (std::string line; std::getline(in, line);)
    out.push_back(nlohmann::json::parse(line, nullptr, false));
  return out;
}

} // namespace

TEST_CASE("change feed e2e: the http sink delivers everything while 30% of POSTs answer 503",
          "[change_feed_e2e][cf_http]") {
  if (!bulkd::bulk_test::have_binary())
    return;
  feed_env env;
  REQUIRE(env.ready());
  constexpr int64_t total = 5000;
  std::mt19937 rng{42};
  std::bernoulli_distribution fail{0.3};
  hook_server srv{[&](const nlohmann::json&) { return fail(rng) ? 503 : 200; }};
  REQUIRE(srv.port() > 0);
  {
    auto [rc, text] = bulk_write(env.dir.path, env.config, 0, total);
    INFO(text);
    REQUIRE(rc == 0);
  }
  feed_spec spec;
  spec.sink = http_sink_yaml(srv);
  spec.extra = "on_failure: stop\n";
  auto job = spec.write(env.dir.path / "feed.yaml");
  feed_run run{job, env.config, env.dir.path, "feed", true};
  auto rc = run.proc.wait_for(240s);
  INFO(run.proc.output());
  REQUIRE(rc.has_value());
  CHECK(*rc == 0);
  CHECK(srv.malformed() == 0);
  auto statuses = srv.statuses();
  INFO("200: " << statuses[200] << ", 503: " << statuses[503]);
  CHECK(statuses[503] > 0); // the failures happened and were retried
  auto got = srv.received();
  auto missing = got.missing(0, total);
  INFO("missing " << head(missing));
  CHECK(missing.empty());
  CHECK(got.bad.empty());
  auto report = run.report_json();
  REQUIRE(report.is_object());
  CHECK(report["ok"] == true);
  CHECK(report["delivered"] == total);
  CHECK(report["dead_lettered"] == 0);
}

TEST_CASE("change feed e2e: a poison batch is dead-lettered and the feed goes on",
          "[change_feed_e2e][cf_poison]") {
  if (!bulkd::bulk_test::have_binary())
    return;
  feed_env env;
  REQUIRE(env.ready());
  hook_server srv{[](const nlohmann::json& batch) { return has_poison(batch) ? 400 : 200; }};
  REQUIRE(srv.port() > 0);
  constexpr int64_t poison = 150;
  write_in_order(env.port, 0, 300, poison);

  auto dead = env.dir.path / "dead.jsonl";
  feed_spec spec;
  spec.max_batch = 10;
  spec.sink = http_sink_yaml(srv, 3);
  spec.extra = "on_failure: dead-letter\ndead_letter: { path: " + dead.string() + " }\n";
  auto job = spec.write(env.dir.path / "feed.yaml");
  feed_run run{job, env.config, env.dir.path, "feed"};
  bool dead_lettered = wait_until([&] { return !dead_letters(dead).empty(); }, 120s);
  INFO(run.proc.output());
  REQUIRE(dead_lettered);
  // Written after the poison batch was given up on: these must all arrive.
  write_in_order(env.port, 300, 600);

  auto lines = dead_letters(dead);
  std::set<int64_t> in_dead_letters;
  for (auto& l : lines)
    if (l.is_object() && l["documents"].is_array())
      for (auto& d : l["documents"])
        in_dead_letters.insert(d.value("seq", int64_t{-1}));
  auto settled = [&] {
    if (!srv.has_all(300, 600))
      return false;
    auto got = srv.received();
    for (int64_t s = 0; s < 300; ++s)
      if (got.counts.count(s) == 0 && in_dead_letters.count(s) == 0)
        return false;
    return true;
  };
  bool done = wait_until(settled, 120s, 200ms);
  CHECK(wait_checkpoints_settled(env.state_dir(), "f"));
  CHECK(run.stop() == 0);
  CHECK(done);

  lines = dead_letters(dead);
  REQUIRE(lines.size() == 1);
  auto& dl = lines.front();
  INFO(dl.dump());
  REQUIRE(dl.is_object());
  CHECK(dl["job"] == "f");
  CHECK(dl["range"].is_string());
  CHECK(dl["sequence"].is_number_integer());
  CHECK(dl.contains("continuation"));
  CHECK_THAT(dl["error"].get<std::string>(), Catch::Contains("400"));
  REQUIRE(dl["documents"].is_array());
  CHECK(dl["documents"].size() <= 10);
  bool marker = false;
  for (auto& d : dl["documents"])
    if (d.value("seq", int64_t{-1}) == poison) {
      marker = d.value("poison", false);
      CHECK(d["id"] == "s-" + std::to_string(poison));
    }
  CHECK(marker);

  auto got = srv.received();
  auto missing = got.missing(300, 600);
  INFO("missing after the poison batch " << head(missing));
  CHECK(missing.empty());
  CHECK(got.counts.count(poison) == 0);
  for (int64_t s = 0; s < 300; ++s)
    if (got.counts.count(s) == 0)
      CHECK(in_dead_letters.count(s) == 1); // each one of 0..299 delivered or dead-lettered
  auto report = run.report_json();
  REQUIRE(report.is_object());
  CHECK(report["dead_lettered_batches"] == 1);
  CHECK(report["dead_lettered"] == dl["documents"].size());
  CHECK(report["delivered"].get<size_t>() + report["dead_lettered"].get<size_t>() == 600);
}

TEST_CASE("change feed e2e: with on_failure stop a poison batch fails the run, naming the batch, "
          "and is not skipped",
          "[change_feed_e2e][cf_poison]") {
  if (!bulkd::bulk_test::have_binary())
    return;
  feed_env env;
  REQUIRE(env.ready());
  hook_server srv{[](const nlohmann::json& batch) { return has_poison(batch) ? 400 : 200; }};
  REQUIRE(srv.port() > 0);
  constexpr int64_t poison = 150;
  write_in_order(env.port, 0, 300, poison);

  feed_spec spec;
  spec.max_batch = 10;
  spec.sink = http_sink_yaml(srv, 3);
  spec.extra = "on_failure: stop\n";
  auto job = spec.write(env.dir.path / "feed.yaml");
  {
    feed_run run{job, env.config, env.dir.path, "stop"};
    auto rc = run.proc.wait_for(120s);
    auto out = run.proc.output();
    INFO(out);
    REQUIRE(rc.has_value());
    CHECK(*rc == 1);
    CHECK_THAT(out, Catch::Contains("change-feed f: FAILED"));
    std::regex batch_name{R"(batch (\d+)#(\d+))"};
    CHECK(std::regex_search(out, batch_name));
    auto report = run.report_json();
    REQUIRE(report.is_object());
    CHECK(report["ok"] == false);
    auto error = report["error"].is_string() ? report["error"].get<std::string>() : "";
    CHECK(std::regex_search(error, batch_name));
    CHECK_THAT(error, Catch::Contains("400"));
    CHECK(srv.received().counts.count(poison) == 0);
  }
  // Nothing was dead-lettered (the default place is <config dir>/dead-letter/<job>.jsonl).
  CHECK_FALSE(fs::exists(env.dir.path / "dead-letter" / "f.jsonl"));
  CHECK_FALSE(fs::exists(env.state_dir() / "dead-letter" / "f.jsonl"));

  // The failed batch was not checkpointed: a run with dead-letter meets it again.
  auto dead = env.dir.path / "dead.jsonl";
  spec.extra = "on_failure: dead-letter\ndead_letter: { path: " + dead.string() + " }\n";
  spec.write(job);
  feed_run again{job, env.config, env.dir.path, "again", true};
  auto rc = again.proc.wait_for(120s);
  INFO(again.proc.output());
  if (!rc) {
    // Did not finish as caught up: show where it stands.
    auto lease_file = lease_file_json(env.state_dir(), "f");
    INFO("lease file while it hangs: " << lease_file.dump());
    auto stopped = again.stop();
    INFO("exit after SIGTERM " << stopped << ", report: " << again.report_json().dump());
    INFO(again.proc.output());
    CHECK(rc.has_value());
  }
  REQUIRE(rc.has_value());
  CHECK(*rc == 0);
  auto lines = dead_letters(dead);
  REQUIRE(lines.size() == 1);
  bool marker = false;
  for (auto& d : lines.front()["documents"])
    marker = marker || d.value("poison", false);
  CHECK(marker);
  auto got = srv.received();
  for (int64_t s = 0; s < 300; ++s)
    if (got.counts.count(s) == 0) {
      INFO("seq " << s);
      CHECK(lines.front()["documents"].dump().find("\"s-" + std::to_string(s) + "\"") !=
            std::string::npos);
    }
}
