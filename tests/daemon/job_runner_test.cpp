// job_runner: scheduling with an injected clock (skipped fires counted), on-demand triggers,
// continuous jobs, cancel (running, finished, unknown), progress, history, shutdown. The runs are
// fake_job_kind actors the test ends itself.

#include "daemon/job_runner.hpp"
#include "jobs/job_lock.hpp"
#include "tests/daemon/fake_job_kind.hpp"

#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

using time_point = job_run::time_point;

time_point at(int hour, int minute, int second = 0) {
  using namespace std::chrono;
  return sys_days{year{2026} / 11 / 21} + hours{hour} + minutes{minute} + seconds{second};
}

job_spec spec(std::string name, job_body body, std::string schedule = {}) {
  job_spec s;
  s.name = std::move(name);
  s.body = std::move(body);
  s.schedule = std::move(schedule);
  s.origin.file = "jobs.d/" + s.name + ".yaml";
  s.origin.line = 1;
  return s;
}

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  test::temp_state state;
  daemon_config config = state.config();
  test::fake_job_kind fake;
  time_point clock = at(10, 1);

  std::unique_ptr<job_runner> make(std::vector<job_spec> jobs, kind_table kinds = {},
                                   size_t history = 20) {
    if (kinds.empty())
      kinds[job_kind::bulk_upsert] = fake.runner();
    job_runner_options opts;
    opts.scheduler_thread = false;
    opts.history = history;
    opts.now = [this] { return clock; };
    return std::make_unique<job_runner>(
        sys, config, [] { return caf::expected<http_pool_actor>{http_pool_actor{}}; },
        std::move(kinds), std::move(jobs), opts);
  }
};

std::string message(const caf::error& err) {
  return render(err);
}

} // namespace

TEST_CASE("a scheduled job fires at its times and a fire during a run is skipped and counted",
          "[job_runner]") {
  fixture f;
  auto runner = f.make({spec("every5", bulk_upsert_spec{}, "*/5 * * * *")});
  runner->start();
  auto view = runner->job("every5");
  REQUIRE(view);
  CHECK(view->mode == "scheduled");
  REQUIRE(view->next_fire);
  CHECK(*view->next_fire == at(10, 5));

  CHECK(runner->tick(at(10, 4, 59)) == at(10, 5));
  CHECK(runner->running() == 0);
  CHECK(runner->tick(at(10, 5)) == at(10, 10));
  REQUIRE(f.fake.wait_live("every5"));
  view = runner->job("every5");
  REQUIRE(view->current);
  auto first = view->current->id;
  CHECK(view->current->trigger == run_trigger::schedule);
  CHECK(view->current->state == run_state::running);

  // The next fire finds the run going: skipped, counted, not started twice.
  CHECK(runner->tick(at(10, 10)) == at(10, 15));
  view = runner->job("every5");
  CHECK(view->skipped_fires == 1);
  CHECK(view->current->id == first);
  CHECK(f.fake.executions == 1);

  f.clock = at(10, 12);
  f.fake.finish("every5");
  auto done = runner->wait_for(first, 10s);
  REQUIRE(done);
  CHECK(done->state == run_state::succeeded);
  CHECK(done->counts == R"({"done":1})");
  REQUIRE(done->ended);
  CHECK(*done->ended == at(10, 12));
  CHECK(done->error.empty());

  runner->tick(at(10, 15));
  REQUIRE(f.fake.wait_live("every5"));
  view = runner->job("every5");
  REQUIRE(view->current);
  CHECK(view->current->id == first + 1);
  CHECK(view->skipped_fires == 1);
  REQUIRE(view->last_runs.size() == 1);
  CHECK(view->last_runs.front().id == first);
  runner->shutdown();
  auto second = runner->run(first + 1);
  REQUIRE(second);
  CHECK(second->state == run_state::cancelled);
  CHECK(second->error == "cancelled (the daemon is shutting down): interrupted");
}

TEST_CASE("an on-demand job runs only when triggered, a second trigger while it runs is refused",
          "[job_runner]") {
  fixture f;
  auto runner = f.make({spec("load", bulk_upsert_spec{})});
  runner->start();
  runner->tick(at(23, 59));
  CHECK(runner->running() == 0);
  CHECK(runner->job("load")->mode == "on-demand");
  CHECK_FALSE(runner->job("load")->next_fire);

  auto id = runner->trigger("load");
  REQUIRE(id);
  CHECK(*id == 1);
  REQUIRE(f.fake.wait_live("load"));
  auto again = runner->trigger("load");
  REQUIRE_FALSE(again);
  CHECK(message(again.error()) == "conflict: job 'load' is running already (run 1)");

  auto live = runner->progress(*id);
  REQUIRE(live);
  CHECK(*live == R"({"n":7})");

  f.fake.fail("load");
  auto done = runner->wait_for(*id, 10s);
  REQUIRE(done);
  CHECK(done->state == run_state::failed);
  CHECK(done->error == "the fake job failed");
  CHECK_FALSE(runner->progress(*id)); // only while running

  auto unknown = runner->trigger("nope");
  REQUIRE_FALSE(unknown);
  CHECK(message(unknown.error()) == "not_found: no job named 'nope'");
}

TEST_CASE("cancel stops a running run, cancelling a finished run or an idle job is a conflict",
          "[job_runner]") {
  fixture f;
  auto runner = f.make({spec("load", bulk_upsert_spec{})});
  runner->start();

  auto idle = runner->cancel_job("load");
  REQUIRE_FALSE(idle);
  CHECK(message(idle.error()) ==
        "conflict: job 'load' has no run going; there is nothing to cancel (it has not run yet)");

  auto id = runner->trigger("load");
  REQUIRE(id);
  REQUIRE(f.fake.wait_live("load"));
  f.clock = at(10, 2);
  auto cancelled = runner->cancel_job("load");
  REQUIRE(cancelled);
  CHECK(*cancelled == *id);
  auto done = runner->wait_for(*id, 10s);
  REQUIRE(done);
  CHECK(done->state == run_state::cancelled);
  CHECK(done->error == "cancelled (through the admin API): interrupted");

  auto finished = runner->cancel_run(*id);
  REQUIRE(finished);
  CHECK(message(finished) == "conflict: run 1 of job 'load' has finished already (run 1 "
                             "cancelled at 2026-11-21T10:02:00Z); there is nothing to cancel");
  auto after = runner->cancel_job("load");
  REQUIRE_FALSE(after);
  CHECK(message(after.error()) == "conflict: job 'load' has no run going; there is nothing to "
                                  "cancel (its last run 1 cancelled at 2026-11-21T10:02:00Z)");
  auto unknown_run = runner->cancel_run(99);
  REQUIRE(unknown_run);
  CHECK(message(unknown_run).find("not_found: no run with id 99") == 0);
  auto unknown_job = runner->cancel_job("nope");
  REQUIRE_FALSE(unknown_job);
  CHECK(message(unknown_job.error()) == "not_found: no job named 'nope'");
}

TEST_CASE("continuous jobs start with the runner, kinds without a runner are listed, not run",
          "[job_runner]") {
  fixture f;
  kind_table kinds;
  kinds[job_kind::change_feed] = f.fake.runner(true);
  kinds[job_kind::bulk_upsert] = f.fake.runner();
  auto runner = f.make({spec("feed", change_feed_spec{}), spec("keys", key_backup_spec{}),
                        spec("load", bulk_upsert_spec{})},
                       std::move(kinds));
  runner->start();
  REQUIRE(f.fake.wait_live("feed"));
  auto feed = runner->job("feed");
  CHECK(feed->mode == "continuous");
  REQUIRE(feed->current);
  CHECK(feed->current->trigger == run_trigger::start);
  CHECK_FALSE(f.fake.is_live("load"));

  auto keys = runner->job("keys");
  CHECK_FALSE(keys->runnable);
  auto refused = runner->trigger("keys");
  REQUIRE_FALSE(refused);
  CHECK(message(refused.error()) ==
        "not_implemented: this version of bulkd serve cannot run key-backup jobs");

  auto all = runner->jobs();
  REQUIRE(all.size() == 3);
  CHECK(all[0].name == "feed"); // by name
  CHECK(all[2].name == "load");

  runner->shutdown();
  CHECK(runner->job("feed")->last_runs.front().state == run_state::cancelled);
  auto late = runner->trigger("load");
  REQUIRE_FALSE(late);
  CHECK(message(late.error()) == "shutting_down: the daemon is shutting down; no new runs");
  runner->shutdown(); // idempotent
}

TEST_CASE("only the last `history` runs of a job are kept", "[job_runner]") {
  fixture f;
  auto runner = f.make({spec("load", bulk_upsert_spec{})}, {}, 2);
  runner->start();
  for (uint64_t i = 1; i <= 3; ++i) {
    auto id = runner->trigger("load");
    REQUIRE(id);
    CHECK(*id == i);
    REQUIRE(f.fake.wait_live("load"));
    f.fake.finish("load");
    REQUIRE(runner->wait_for(*id, 10s)->state == run_state::succeeded);
  }
  CHECK_FALSE(runner->run(1));
  CHECK(runner->run(2));
  auto view = runner->job("load");
  REQUIRE(view->last_runs.size() == 2);
  CHECK(view->last_runs[0].id == 3);
  CHECK(view->last_runs[1].id == 2);
}

TEST_CASE("a run's JSON has its state, times, counts and error", "[job_runner]") {
  job_run r;
  r.id = 4;
  r.job = "load";
  r.trigger = run_trigger::schedule;
  r.state = run_state::failed;
  r.created = at(10, 0);
  r.started = at(10, 0, 1);
  r.ended = at(10, 0, 3);
  r.counts = R"({"written":5})";
  r.error = "boom";
  CHECK(
      to_json(r) ==
      R"({"counts":{"written":5},"created":"2026-11-21T10:00:00Z","ended":"2026-11-21T10:00:03Z",)"
      R"("error":"boom","id":4,"job":"load","seconds":2.0,"started":"2026-11-21T10:00:01Z",)"
      R"("state":"failed","trigger":"schedule"})");
  job_run pending;
  pending.id = 1;
  pending.job = "x";
  pending.counts = "not json";
  auto text = to_json(pending, R"({"n":1})");
  CHECK(text.find(R"("counts":{"n":1})") != std::string::npos);
  CHECK(text.find(R"("started":null)") != std::string::npos);
  CHECK(text.find(R"("error":null)") != std::string::npos);
  CHECK(text.find(R"("state":"pending")") != std::string::npos);
}

TEST_CASE("a run takes the job lock: a job locked elsewhere fails with the holder",
          "[job_runner]") {
  fixture f;
  auto runner = f.make({spec("load", bulk_upsert_spec{})});
  runner->start();
  auto held = try_lock_job(f.config.state_dir, "load");
  REQUIRE(held);
  auto id = runner->trigger("load");
  REQUIRE(id);
  auto refused = runner->wait_for(*id, 10s);
  REQUIRE(refused);
  CHECK(refused->state == run_state::failed);
  CHECK_THAT(refused->error, Catch::StartsWith("job 'load' is running (pid "));
  CHECK(f.fake.executions == 0);
  held->release();
  auto next = runner->trigger("load");
  REQUIRE(next);
  REQUIRE(f.fake.wait_live("load"));
  f.fake.finish("load");
  CHECK(runner->wait_for(*next, 10s)->state == run_state::succeeded);
}

TEST_CASE("reload: added jobs start, removed ones are cancelled and dropped, changed ones restart "
          "with the new spec, unchanged ones are not touched",
          "[job_runner]") {
  fixture f;
  kind_table kinds;
  kinds[job_kind::change_feed] = f.fake.runner(true);
  kinds[job_kind::bulk_upsert] = f.fake.runner();
  auto runner = f.make({spec("feed", change_feed_spec{}), spec("load", bulk_upsert_spec{}),
                        spec("gone", bulk_upsert_spec{}), spec("same", bulk_upsert_spec{})},
                       std::move(kinds));
  runner->start();
  REQUIRE(f.fake.wait_live("feed"));
  auto feed_run = runner->job("feed")->current->id;
  auto gone_run = runner->trigger("gone");
  REQUIRE(gone_run);
  REQUIRE(f.fake.wait_live("gone"));
  auto same_run = runner->trigger("same");
  REQUIRE(same_run);
  REQUIRE(f.fake.wait_live("same"));

  change_feed_spec feed2;
  feed2.max_batch = 7;
  auto summary =
      runner->reload({spec("feed", feed2), spec("load", bulk_upsert_spec{}, "0 * * * *"),
                      spec("same", bulk_upsert_spec{}), spec("new", change_feed_spec{})});
  CHECK(summary.added == std::vector<std::string>{"new"});
  CHECK(summary.removed == std::vector<std::string>{"gone"});
  CHECK(summary.changed == std::vector<std::string>{"feed", "load"});
  CHECK(summary.unchanged == 1);

  REQUIRE(f.fake.wait_live("new"));
  auto gone = runner->wait_for(*gone_run, 10s);
  CHECK(gone->state == run_state::cancelled);
  CHECK(gone->error == "cancelled (the job was removed from the jobs directory): interrupted");
  CHECK_FALSE(runner->job("gone"));

  auto old_feed = runner->wait_for(feed_run, 10s);
  CHECK(old_feed->state == run_state::cancelled);
  CHECK_THAT(old_feed->error, Catch::StartsWith("cancelled (the job changed"));
  // The changed continuous job runs again, with the new spec.
  auto feed = runner->job("feed");
  REQUIRE(feed);
  for (int i = 0; i < 200 && !feed->current; ++i) {
    std::this_thread::sleep_for(10ms);
    feed = runner->job("feed");
  }
  REQUIRE(feed->current);
  CHECK(feed->current->id != feed_run);
  CHECK(std::get<change_feed_spec>(feed->spec.body).max_batch == 7);
  REQUIRE(feed->last_runs.size() == 1);

  auto load = runner->job("load");
  CHECK(load->mode == "scheduled");
  REQUIRE(load->next_fire);
  CHECK(*load->next_fire == at(11, 0));

  // Unchanged: the same run goes on.
  CHECK(runner->job("same")->current->id == *same_run);
  CHECK(f.fake.is_live("same"));
}

TEST_CASE("a continuous job whose run failed starts again after a growing delay", "[job_runner]") {
  fixture f;
  kind_table kinds;
  kinds[job_kind::change_feed] = f.fake.runner(true);
  auto runner = f.make({spec("feed", change_feed_spec{})}, std::move(kinds));
  runner->start();
  REQUIRE(f.fake.wait_live("feed"));
  auto first = runner->job("feed")->current->id;
  f.clock = at(10, 2);
  f.fake.fail("feed");
  REQUIRE(runner->wait_for(first, 10s)->state == run_state::failed);
  auto view = runner->job("feed");
  REQUIRE(view->next_fire);
  CHECK(*view->next_fire == at(10, 2, 10)); // restart_delay 10 s
  CHECK(runner->tick(at(10, 2, 9)) == at(10, 2, 10));
  CHECK_FALSE(runner->job("feed")->current);
  runner->tick(at(10, 2, 10));
  REQUIRE(f.fake.wait_live("feed"));
  auto second = runner->job("feed")->current;
  REQUIRE(second);
  CHECK(second->trigger == run_trigger::restart);

  f.clock = at(10, 3);
  f.fake.fail("feed");
  REQUIRE(runner->wait_for(second->id, 10s)->state == run_state::failed);
  CHECK(*runner->job("feed")->next_fire == at(10, 3, 20)); // doubled

  // A cancel is not a failure: no restart.
  runner->tick(at(10, 3, 20));
  REQUIRE(f.fake.wait_live("feed"));
  auto third = runner->cancel_job("feed");
  REQUIRE(third);
  REQUIRE(runner->wait_for(*third, 10s)->state == run_state::cancelled);
  CHECK_FALSE(runner->job("feed")->next_fire);
  runner->tick(at(11, 0));
  CHECK_FALSE(runner->job("feed")->current);
}
