// `bulkd checkpoint show|reset` and the `bulkd validate` lease warning, run as the built binary
// against a temporary config, jobs dir and state dir (no emulator: store file and bulk-upsert).

#include "jobs/bulk_upsert/bulk_checkpoint.hpp"
#include "jobs/change_feed/lease_file.hpp"
#include "jobs/job_lock.hpp"
#include "jobs/timestamp.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace bulkd;
using namespace std::chrono_literals;

namespace {

struct run_result {
  int status = -1;
  std::string out; // stdout
  std::string err; // stderr
};

std::string read_text(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream out{p, std::ios::trunc};
  out << text;
}

struct env {
  fs::path dir;
  fs::path config;
  fs::path state;

  env() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-ckpt-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    state = dir / "state";
    config = dir / "bulkd.yaml";
    write_text(config, "state_dir: state\njobs_dir: jobs.d\nlog: { level: warn }\naccounts:\n"
                       "  emu:\n    endpoint: \"http://127.0.0.1:9\"\n    key: \"a2V5\"\n");
    write_text(dir / "jobs.d" / "feed.yaml",
               "name: feed\nkind: change-feed\n"
               "source: { account: emu, database: db, container: c, start_from: beginning }\n"
               "leases: { store: file }\nsink: { type: jsonl, path: out.jsonl }\n");
    write_text(dir / "jobs.d" / "load.yaml",
               "name: load\nkind: bulk-upsert\nsource: { path: " + (dir / "in").string() +
                   "/*.jsonl, format: jsonl }\n"
                   "target: { account: emu, database: db, container: c }\n");
  }

  ~env() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  fs::path leases_path() const { return lease_file_path(state, "feed"); }
  fs::path bulk_file() const { return bulk_checkpoint_path(state, "load"); }

  // bulkd ARGS with stdin from /dev/null (not a terminal), stdout and stderr apart.
  run_result run(const std::string& args) const {
    auto out_file = dir / "stdout.txt";
    auto err_file = dir / "stderr.txt";
    std::string cmd = std::string{BULKD_BINARY} + " " + args + " </dev/null >" + out_file.string() +
                      " 2>" + err_file.string();
    int st = std::system(cmd.c_str());
    run_result r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = read_text(out_file);
    r.err = read_text(err_file);
    return r;
  }

  std::string cfg() const { return " --config " + config.string(); }

  // Three leases: two checkpointed (one owned), one fresh, all started from `start`.
  void write_leases(const std::string& start) const {
    bulkd::lease_file f;
    f.etag_counter = 9;
    auto make = [&](std::string token, std::string min, std::string max) {
      lease l;
      l.id = lease_id("feed.db.c", token);
      l.range = {token, std::move(min), std::move(max)};
      l.timestamp = utc_time{1'800'000'000'000ms};
      l.start_from = start;
      l.etag = "9";
      return l;
    };
    f.leases = {make("0", "", "55"), make("1", "55", "AA"), make("3", "AA", "FF")};
    f.leases[0].owner = "host-a";
    f.leases[0].continuation = "\"42\"";
    f.leases[1].continuation = "\"17\"";
    f.leases[2].parent = "2";
    REQUIRE_FALSE(save_lease_file(leases_path(), f));
  }
};

bool have_binary() {
  if (fs::exists(BULKD_BINARY))
    return true;
  WARN("bulkd binary not built (" BULKD_BINARY "); build target bulkd to run this test");
  return false;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Another process holding a job's lock until destroyed.
struct lock_holder {
  pid_t pid = -1;
  int go_fd = -1;

  lock_holder(const fs::path& state, const std::string& job) {
    int ready[2];
    int go[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(go) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(ready[0]);
      ::close(go[1]);
      auto l = try_lock_job(state, job);
      char c = l ? 'y' : 'n';
      [[maybe_unused]] auto w = ::write(ready[1], &c, 1);
      [[maybe_unused]] auto r = ::read(go[0], &c, 1);
      std::_Exit(0);
    }
    ::close(ready[1]);
    ::close(go[0]);
    go_fd = go[1];
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    REQUIRE(c == 'y');
  }

  ~lock_holder() {
    ::close(go_fd); // the child's read returns 0
    ::waitpid(pid, nullptr, 0);
  }
};

} // namespace

TEST_CASE("bulkd checkpoint show: a change-feed job's leases as a table and as JSON",
          "[daemon][checkpoint]") {
  if (!have_binary())
    return;
  env e;
  auto none = e.run("checkpoint show feed" + e.cfg());
  INFO(none.err);
  CHECK(none.status == 0);
  CHECK(contains(none.out, "leases:     " + e.leases_path().string() + " (store: file)"));
  CHECK(contains(none.out, "no leases: the job has not run yet"));
  e.write_leases("beginning");
  auto r = e.run("checkpoint show feed" + e.cfg());
  INFO(r.out + r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "job:        feed (change-feed)\n"));
  CHECK(contains(r.out, "start_from: beginning in the spec"));
  CHECK(contains(r.out,
                 "\nRANGE  EPK RANGE    OWNER   CONTINUATION  TIMESTAMP             "
                 "PARENT  START\n"
                 "0      [\"\",\"55\")    host-a  \"42\"          2027-01-15T08:00:00Z  -     "
                 "  beginning\n"
                 "1      [\"55\",\"AA\")  -       \"17\"          2027-01-15T08:00:00Z  -     "
                 "  beginning\n"
                 "3      [\"AA\",\"FF\")  -       -             2027-01-15T08:00:00Z  2     "
                 "  beginning\n"));
  auto j = e.run("checkpoint show feed --json" + e.cfg());
  CHECK(j.status == 0);
  CHECK(contains(j.out, "\"store\": \"file\""));
  CHECK(contains(j.out, "\"file\": \"" + e.leases_path().string() + "\""));
  CHECK(contains(j.out, "\"LeaseToken\": \"1\""));
  CHECK(contains(j.out, "\"ContinuationToken\": \"\\\"17\\\"\""));
  CHECK(contains(j.out, "\"StartFrom\": \"beginning\""));
}

TEST_CASE("bulkd checkpoint reset: change-feed leases start over from beginning, now or a time",
          "[daemon][checkpoint]") {
  if (!have_binary())
    return;
  env e;
  e.write_leases("now");
  // Without a terminal and without --yes: refused, nothing changed.
  auto before = read_text(e.leases_path());
  auto asked = e.run("checkpoint reset feed --to beginning" + e.cfg());
  CHECK(asked.status == 2);
  CHECK(contains(asked.err, "bulkd checkpoint reset: not resetting without confirmation: stdin "
                            "is not a terminal; pass --yes to reset 3 leases of job 'feed' to "
                            "start from beginning"));
  CHECK(read_text(e.leases_path()) == before);

  auto r = e.run("checkpoint reset feed --to beginning --yes" + e.cfg());
  INFO(r.out + r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "reset 3 leases of job 'feed': every range starts from beginning at its "
                        "next run"));
  auto f = load_lease_file(e.leases_path());
  REQUIRE(f);
  REQUIRE(f->leases.size() == 3);
  for (auto& l : f->leases) {
    CHECK(l.owner.empty());
    CHECK(l.continuation.empty());
    CHECK(l.start_from == "beginning");
  }
  CHECK(f->leases[2].parent == "2");
  CHECK(f->leases[1].range == lease_range{"1", "55", "AA"});
  CHECK(f->etag_counter == 12);

  auto t0 = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  auto now = e.run("checkpoint reset feed --to now -y" + e.cfg());
  CHECK(now.status == 0);
  auto t1 = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  f = load_lease_file(e.leases_path());
  REQUIRE(f);
  // "now" is recorded as the time of the reset.
  auto at = parse_rfc3339(f->leases[0].start_from);
  REQUIRE(at);
  CHECK(*at >= t0);
  CHECK(*at <= t1);
  CHECK(f->leases[1].start_from == f->leases[0].start_from);

  auto t = e.run("checkpoint reset feed --to 2026-11-21T20:30:00+01:00 --yes" + e.cfg());
  CHECK(t.status == 0);
  f = load_lease_file(e.leases_path());
  REQUIRE(f);
  CHECK(f->leases[2].start_from == "2026-11-21T19:30:00Z");
}

TEST_CASE("bulkd checkpoint reset: refused while the job's lock is held by another process",
          "[daemon][checkpoint]") {
  if (!have_binary())
    return;
  env e;
  e.write_leases("beginning");
  auto before = read_text(e.leases_path());
  {
    lock_holder holder{e.state, "feed"};
    auto r = e.run("checkpoint reset feed --to now --yes" + e.cfg());
    CHECK(r.status == 1);
    CHECK(r.err == "bulkd checkpoint reset: job 'feed' is running (pid " +
                       std::to_string(holder.pid) + ", lock " +
                       (e.state / "locks" / "feed.lock").string() +
                       "); stop it before resetting its checkpoints\n");
    CHECK(read_text(e.leases_path()) == before);
    // show does not need the lock.
    CHECK(e.run("checkpoint show feed" + e.cfg()).status == 0);
  }
  CHECK(e.run("checkpoint reset feed --to now --yes" + e.cfg()).status == 0);
  CHECK(read_text(e.leases_path()) != before);
}

TEST_CASE("bulkd checkpoint: a bulk-upsert job's checkpoint, shown and removed",
          "[daemon][checkpoint]") {
  if (!have_binary())
    return;
  env e;
  auto none = e.run("checkpoint show load" + e.cfg());
  CHECK(none.status == 0);
  CHECK(contains(none.out, "checkpoint: none (" + e.bulk_file().string() + " does not exist)"));
  bulk_checkpoint cp;
  file_checkpoint a;
  a.path = "/data/a.jsonl";
  a.fingerprint = {123, 1'700'000'000'000'000'000};
  a.settled = {100, 3};
  cp.files.push_back(a);
  a.path = "/data/b.jsonl";
  a.finished = true;
  a.settled = {123, 4};
  cp.files.push_back(a);
  REQUIRE_FALSE(save_bulk_checkpoint(e.bulk_file(), cp));
  auto r = e.run("checkpoint show load" + e.cfg());
  INFO(r.out + r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "checkpoint: " + e.bulk_file().string() + "\n"));
  CHECK(contains(r.out, "FILE           SETTLED BYTES  LINE  FINISHED  SIZE\n"
                        "/data/a.jsonl  100            3     no        123\n"
                        "/data/b.jsonl  123            4     yes       123\n"));
  auto j = e.run("checkpoint show load --json" + e.cfg());
  CHECK(j.status == 0);
  CHECK(contains(j.out, "\"path\": \"/data/a.jsonl\",\n      \"offset\": 100,\n      \"line\": 3"));
  auto now = e.run("checkpoint reset load --to now --yes" + e.cfg());
  CHECK(now.status == 2);
  CHECK(now.err == "bulkd checkpoint reset: job 'load' is a bulk-upsert job: its checkpoint "
                   "holds input file offsets, not times; only --to beginning is possible, not "
                   "'now'\n");
  CHECK(fs::exists(e.bulk_file()));
  auto asked = e.run("checkpoint reset load --to beginning" + e.cfg());
  CHECK(asked.status == 2);
  CHECK(fs::exists(e.bulk_file()));
  auto gone = e.run("checkpoint reset load --to beginning --yes" + e.cfg());
  INFO(gone.out + gone.err);
  CHECK(gone.status == 0);
  CHECK(contains(gone.out, "/data/a.jsonl  100"));
  CHECK(contains(gone.out, "removed " + e.bulk_file().string() +
                               ": job 'load' reads every input file from the start at its next "
                               "run\n"));
  CHECK_FALSE(fs::exists(e.bulk_file()));
  auto again = e.run("checkpoint reset load --to beginning --yes" + e.cfg());
  CHECK(again.status == 0);
  CHECK(contains(again.out, "nothing to reset"));
}

TEST_CASE("bulkd checkpoint: bad input is refused with the value and exit 2",
          "[daemon][checkpoint][bad_input]") {
  if (!have_binary())
    return;
  env e;
  e.write_leases("beginning");
  auto before = read_text(e.leases_path());
  auto garbage = e.run("checkpoint reset feed --to yesterday --yes" + e.cfg());
  CHECK(garbage.status == 2);
  CHECK(garbage.err == "bulkd checkpoint reset: --to: expected beginning, now or an RFC 3339 time, "
                       "not \"yesterday\"\n");
  CHECK(read_text(e.leases_path()) == before);
  auto unknown = e.run("checkpoint show nope" + e.cfg());
  CHECK(unknown.status == 2);
  CHECK(unknown.err == "bulkd checkpoint show: no job 'nope' in " + (e.dir / "jobs.d").string() +
                           " (jobs: feed, load)\n");
  auto no_to = e.run("checkpoint reset feed --yes" + e.cfg());
  CHECK(no_to.status == 2);
  CHECK(contains(no_to.err, "--to is required"));
  write_text(e.leases_path(), "{\"version\":1,\"etag_counter\":1,\"leases\":[{]}");
  auto corrupt = e.run("checkpoint reset feed --to now --yes" + e.cfg());
  CHECK(corrupt.status == 1);
  CHECK(contains(corrupt.err,
                 "bulkd checkpoint reset: job 'feed': leases file " + e.leases_path().string()));
  CHECK(contains(corrupt.err, "to start over from the spec's start_from (beginning), delete " +
                                  e.leases_path().string()));
}

TEST_CASE("bulkd validate warns when a job's leases started elsewhere than its start_from",
          "[daemon][checkpoint][validate]") {
  if (!have_binary())
    return;
  env e;
  auto clean = e.run("validate " + e.config.string());
  INFO(clean.err);
  CHECK(clean.status == 0);
  CHECK_FALSE(contains(clean.err, "start_from"));
  e.write_leases("2026-11-21T22:00:00Z");
  auto r = e.run("validate " + e.config.string());
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.err, (e.dir / "jobs.d" / "feed.yaml").string() +
                            ":1:7: warning: source.start_from: start_from: beginning in the "
                            "spec, but the leases in " +
                            e.leases_path().string() +
                            " were started from 2026-11-21T22:00:00Z: existing checkpoints win; "
                            "`bulkd checkpoint reset feed --to beginning` starts over\n"));
  // After the reset they agree.
  REQUIRE(e.run("checkpoint reset feed --to beginning --yes" + e.cfg()).status == 0);
  auto after = e.run("validate " + e.config.string());
  CHECK(after.status == 0);
  CHECK_FALSE(contains(after.err, "start_from"));
  // A lease file that does not load is a warning too.
  write_text(e.leases_path(), "[]");
  auto broken = e.run("validate " + e.config.string());
  CHECK(broken.status == 0);
  CHECK(contains(broken.err, "warning: leases: leases file " + e.leases_path().string()));
  // Leases in Cosmos are not read: nothing said, nothing reached.
  write_text(
      e.dir / "jobs.d" / "feed.yaml",
      "name: feed\nkind: change-feed\n"
      "source: { account: emu, database: db, container: c, start_from: beginning }\n"
      "leases: { store: cosmos, container: leases }\nsink: { type: jsonl, path: o.jsonl }\n");
  auto cosmos = e.run("validate " + e.config.string());
  CHECK(cosmos.status == 0);
  CHECK_FALSE(contains(cosmos.err, "leases file"));
}
