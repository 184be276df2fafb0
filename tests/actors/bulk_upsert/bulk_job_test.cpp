// The bulk job as a whole against a scripted, slow http_pool (two ranges, every operation 201):
// the progress reply reports the requests in flight per range, and the checkpoint follows the
// settled point while the run goes on (not only every checkpoint_interval).

#include "actors/actor_system_setup.hpp"
#include "actors/bulk_upsert/bulk_job_actor.hpp"
#include "actors/bulk_upsert/bulk_messages.hpp"
#include "actors/http_pool.hpp"
#include "jobs/bulk_upsert/bulk_checkpoint.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

using namespace bulkd;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

http_response answer(int status, std::string body, http_headers headers = {}) {
  http_response res;
  res.status = status;
  res.headers = std::move(headers);
  res.body = std::move(body);
  return res;
}

// Detached, and sleeps `delay` per bulk request: requests queue up in its mailbox, so the
// workers have requests in flight for a while.
http_pool_actor::behavior_type slow_pool(http_pool_actor::pointer, std::chrono::milliseconds delay,
                                         std::shared_ptr<std::atomic<size_t>> bulk_requests) {
  return {
      [=](http_atom, const http_request& req) -> http_response {
        if (req.method == "GET" && req.target == "/dbs/db/colls/c")
          return answer(200, R"({"id":"c","_rid":"AQAAAIEAAAA=","partitionKey":)"
                             R"({"paths":["/pk"],"kind":"Hash","version":2}})");
        if (req.method == "GET" && req.target == "/dbs/db/colls/c/pkranges")
          return answer(200,
                        R"({"_rid":"AQAAAIEAAAA=","PartitionKeyRanges":[)"
                        R"({"id":"0","minInclusive":"","maxExclusive":"7F"},)"
                        R"({"id":"1","minInclusive":"7F","maxExclusive":"FF"}]})",
                        {{"etag", "\"1\""}});
        if (req.method == "POST" && req.target == "/dbs/db/colls/c/docs") {
          std::this_thread::sleep_for(delay);
          ++*bulk_requests;
          auto ops = nlohmann::json::parse(req.body);
          auto results = nlohmann::json::array();
          for (size_t i = 0; i < ops.size(); ++i)
            results.push_back({{"statusCode", 201}, {"requestCharge", 1}});
          return answer(207, results.dump(), {{"x-ms-request-charge", "1"}});
        }
        return answer(500, R"({"code":"Unexpected","message":"unexpected request"})");
      },
      [](http_stats_atom) { return http_pool_stats{}; },
  };
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/bulkd-job-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct job_env {
  temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys;
  std::shared_ptr<std::atomic<size_t>> bulk_requests = std::make_shared<std::atomic<size_t>>(0);
  http_pool_actor pool;
  fs::path input = dir.path / "docs.jsonl";
  fs::path checkpoint = dir.path / "checkpoints" / "t.json";
  std::shared_ptr<std::promise<bulk_report>> done;
  caf::actor job;

  job_env(size_t docs, std::chrono::milliseconds delay) : sys((configure_actor_system(cfg), cfg)) {
    pool = sys.spawn<caf::detached>(slow_pool, delay, bulk_requests);
    std::ofstream out{input};
    for (size_t i = 0; i < docs; ++i)
      out << R"({"id":"d)" << i << R"(","pk":"p)" << (i % 31) << R"("})"
          << "\n";
  }

  ~job_env() { caf::anon_send_exit(pool, caf::exit_reason::kill); }

  std::future<bulk_report> start(std::chrono::milliseconds checkpoint_interval,
                                 const std::function<void(bulk_upsert_spec&)>& tweak = {}) {
    bulk_job_config jc;
    jc.name = "t";
    jc.spec.source.path = input.string();
    jc.spec.target.database = "db";
    jc.spec.target.container = "c";
    jc.spec.concurrency.max_in_flight = 4; // 2 per range
    jc.spec.concurrency.mailbox = 2;
    jc.spec.concurrency.batch = 100;
    jc.spec.checkpoint_interval = checkpoint_interval;
    if (tweak)
      tweak(jc.spec);
    jc.account.name = "a";
    jc.account.endpoint = "http://127.0.0.1:1/";
    jc.account.key = secret{key};
    jc.checkpoint_file = checkpoint.string();
    jc.dead_letter_file = (dir.path / "dead.jsonl").string();
    jc.pool = pool;
    done = std::make_shared<std::promise<bulk_report>>();
    jc.on_done = [p = done](const bulk_report& r) { p->set_value(r); };
    job = spawn_bulk_job(sys, std::move(jc));
    return done->get_future();
  }
};

} // namespace

TEST_CASE("bulk job: progress reports the requests in flight per range, none at the end",
          "[actors][bulk_upsert][bulk_job]") {
  job_env env{3000, 15ms};
  auto finished = env.start(1h);
  caf::scoped_actor self{env.sys};
  uint64_t most = 0;
  size_t replies = 0;
  while (finished.wait_for(10ms) != std::future_status::ready) {
    self->request(env.job, 2s, progress_atom::value)
        .receive(
            [&](bulk_report& r) {
              ++replies;
              auto& by_range = r.counts.in_flight_by_range;
              uint64_t sum = 0;
              for (auto& [range, n] : by_range) {
                INFO("range " << range << ": " << n);
                CHECK((range == "0" || range == "1"));
                CHECK(n <= 2); // the range's share of max_in_flight
                sum += n;
              }
              if (sum > 0)
                CHECK(by_range.size() == 2);
              most = std::max(most, sum);
            },
            [&](caf::error&) {}); // the job ended meanwhile
  }
  auto report = finished.get();
  INFO("progress replies: " << replies);
  CHECK(report.ok);
  CHECK(report.counts.written == 3000);
  CHECK(most >= 1); // adaptive concurrency starts at 1 per range
  uint64_t left = 0;
  for (auto& [range, n] : report.counts.in_flight_by_range)
    left += n;
  CHECK(left == 0);
}

TEST_CASE("bulk job: the checkpoint follows the settled point during the run, without waiting "
          "for checkpoint_interval",
          "[actors][bulk_upsert][bulk_job]") {
  job_env env{3000, 15ms};
  auto size = fs::file_size(env.input);
  auto finished = env.start(1h);
  std::vector<uint64_t> offsets;
  while (finished.wait_for(5ms) != std::future_status::ready) {
    if (!fs::exists(env.checkpoint))
      continue;
    auto cp = load_bulk_checkpoint(env.checkpoint);
    REQUIRE(cp);
    REQUIRE(cp->files.size() == 1);
    if (!cp->files[0].finished)
      offsets.push_back(cp->files[0].settled.offset);
  }
  auto report = finished.get();
  CHECK(report.ok);
  REQUIRE_FALSE(offsets.empty());
  // Several different settled points inside the file while the run went on, never going back.
  CHECK(std::is_sorted(offsets.begin(), offsets.end()));
  CHECK(offsets.back() > 0);
  CHECK(offsets.back() < size);
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  CHECK(offsets.size() >= 3);
  auto cp = load_bulk_checkpoint(env.checkpoint);
  REQUIRE(cp);
  CHECK(cp->files[0].finished);
  CHECK(cp->files[0].settled.offset == size);
}

TEST_CASE("bulk job: a checkpoint written with other reading settings refuses the run",
          "[actors][bulk_upsert][bulk_job]") {
  job_env env{300, 1ms};
  auto first = env.start(5s).get();
  REQUIRE(first.ok);
  CHECK(first.counts.written == 300);
  auto before = load_bulk_checkpoint(env.checkpoint);
  REQUIRE(before);
  REQUIRE(before->reading);
  CHECK(before->reading->id_path == "/id");
  auto requests = env.bulk_requests->load();

  auto second = env.start(5s, [](bulk_upsert_spec& spec) { spec.id_path = "/key"; }).get();
  CHECK_FALSE(second.ok);
  auto cp = env.checkpoint.string();
  CHECK(second.error == "invalid_argument: checkpoint " + cp +
                            " was written with other input settings (id_path: \"/id\" -> "
                            "\"/key\"): its offsets do not fit the job any more. Delete " +
                            cp +
                            " to load every input file from the beginning again, or run with "
                            "the previous settings to resume");
  CHECK(second.counts.read == 0);
  CHECK(env.bulk_requests->load() == requests);
  auto after = load_bulk_checkpoint(env.checkpoint);
  REQUIRE(after);
  CHECK(after->reading == before->reading); // left as it was

  // The way out the message names: without the checkpoint the run starts over.
  fs::remove(env.checkpoint);
  auto third = env.start(5s,
                         [](bulk_upsert_spec& spec) {
                           spec.id_path = "/key";
                           spec.generate_id = true;
                         })
                   .get();
  CHECK(third.ok);
  CHECK(third.counts.read == 300);
}
