// `bulkd checkpoint show|reset` for a change-feed job with store: cosmos, against a
// `bulkd emulator --in-memory` child: the leases are created by the Cosmos lease store as a job
// would, shown, the reset is refused while one is held, then every lease document is replaced.

#include "actors/actor_system_setup.hpp"
#include "actors/change_feed/cosmos_lease_store_actor.hpp"
#include "actors/http_pool.hpp"
#include "daemon/cosmos_leases.hpp"
#include "tests/actors/change_feed/lease_store_test_support.hpp"
#include "tests/daemon/bulk_test_support.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

using namespace bulkd;
using namespace bulkd::bulk_test;
using bulkd::test::ask;
using bulkd::test::by_token;

namespace {

struct run_result {
  int status = -1;
  std::string out;
  std::string err;
};

run_result run_bulkd(const fs::path& dir, const std::string& args) {
  auto out_file = dir / "stdout.txt";
  auto err_file = dir / "stderr.txt";
  std::string cmd = std::string{BULKD_BINARY} + " " + args + " </dev/null >" + out_file.string() +
                    " 2>" + err_file.string();
  int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_file(out_file), read_file(err_file)};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_CASE("bulkd checkpoint with store: cosmos shows the lease documents and replaces them",
          "[daemon][checkpoint][emulator]") {
  if (!have_binary())
    return;
  temp_dir dir;
  emulator emu{dir.path};
  REQUIRE(emu.port != 0);
  auto config = write_config(dir.path, emu.port);
  write_file(config, read_file(config) + "jobs_dir: " + (dir.path / "jobs.d").string() + "\n");
  fs::create_directories(dir.path / "jobs.d");
  write_file(dir.path / "jobs.d" / "feed.yaml",
             "name: feed\nkind: change-feed\n"
             "source: { account: emu, database: shop, container: orders, start_from: now }\n"
             "leases: { store: cosmos, container: leases, expiration: 60s }\n"
             "sink: { type: jsonl, path: out.jsonl }\n");
  auto cfg = " --config " + config.string();

  // No lease container yet: an error naming it.
  auto missing = run_bulkd(dir.path, "checkpoint show feed" + cfg);
  CHECK(missing.status == 1);
  CHECK(contains(missing.err, "bulkd checkpoint show: job 'feed': "));

  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg);
  caf::actor_system sys{sys_cfg};
  caf::scoped_actor self{sys};
  http_pool_config pc;
  pc.workers = 2;
  auto pool = spawn_http_pool(sys, pc);
  auto cred = cosmos::credential::from_master_key(emulator_key);
  REQUIRE(cred);
  auto builder = cosmos::request_builder::make("http://127.0.0.1:" + std::to_string(emu.port) + "/",
                                               std::move(*cred));
  REQUIRE(builder);
  cosmos_lease_store_config c;
  c.builder = std::move(*builder);
  c.pool = pool;
  c.container = {"shop", "leases"};
  c.prefix = lease_prefix("feed", "shop", "orders");
  c.instance = "host-a";
  c.create_if_missing = std::optional<uint32_t>{};
  auto store = spawn_cosmos_lease_store(sys, std::move(c));
  std::vector<lease_range> two{{"0", "", "80"}, {"1", "80", "FF"}};
  auto created = ask<std::vector<lease>>(self, store, lease_create_atom::value, two,
                                         std::string{"2026-11-21T19:00:00Z"});
  REQUIRE(created);
  auto held = ask<lease>(self, store, lease_acquire_atom::value, *by_token(*created, "0"));
  REQUIRE(held);
  auto cp = ask<lease>(self, store, lease_checkpoint_atom::value, *held, std::string{"\"12\""});
  REQUIRE(cp);

  auto shown = run_bulkd(dir.path, "checkpoint show feed" + cfg);
  INFO(shown.out + shown.err);
  CHECK(shown.status == 0);
  CHECK(contains(shown.out, "leases:     account emu, container shop/leases, ids "
                            "feed.shop.orders..<range> (store: cosmos)\n"));
  CHECK(contains(shown.out, "host-a  \"12\""));
  CHECK(contains(shown.out, "2026-11-21T19:00:00Z\n"));

  // Held and renewed just now: refused before anything is written.
  auto refused = run_bulkd(dir.path, "checkpoint reset feed --to beginning --yes" + cfg);
  CHECK(refused.status == 1);
  CHECK(contains(refused.err, "bulkd checkpoint reset: lease 0 of job 'feed' is owned by host-a "
                              "(updated "));
  CHECK(contains(refused.err, "expiration 1m): an instance of the job is running; stop every "
                              "instance first\n"));

  auto released = ask<lease>(self, store, lease_release_atom::value, *cp);
  REQUIRE(released);
  auto reset = run_bulkd(dir.path, "checkpoint reset feed --to beginning --yes" + cfg);
  INFO(reset.out + reset.err);
  CHECK(reset.status == 0);
  CHECK(contains(reset.out, "reset 2 leases of job 'feed': every range starts from beginning"));
  auto after = ask<std::vector<lease>>(self, store, lease_list_atom::value);
  REQUIRE(after);
  REQUIRE(after->size() == 2);
  for (auto& l : *after) {
    CHECK(l.free());
    CHECK(l.continuation.empty());
    CHECK(l.start_from == "beginning");
  }
  CHECK((*after)[1].range == two[1]);
  self->send_exit(store, caf::exit_reason::user_shutdown);
  self->send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_CASE("replace_cosmos_leases stops at a lease changed since it was listed",
          "[daemon][checkpoint][emulator]") {
  if (!have_binary())
    return;
  temp_dir dir;
  emulator emu{dir.path};
  REQUIRE(emu.port != 0);
  cosmos_lease_target t;
  t.account.name = "emu";
  t.account.endpoint = "http://127.0.0.1:" + std::to_string(emu.port);
  t.account.key = secret{emulator_key};
  t.database = "shop";
  t.container = "leases";
  t.prefix = "feed.shop.orders";
  auto missing = list_cosmos_leases(t);
  REQUIRE_FALSE(missing);

  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg);
  caf::actor_system sys{sys_cfg};
  caf::scoped_actor self{sys};
  auto pool = spawn_http_pool(sys, http_pool_config{});
  auto cred = cosmos::credential::from_master_key(emulator_key);
  auto builder = cosmos::request_builder::make(t.account.endpoint + "/", std::move(*cred));
  REQUIRE(builder);
  cosmos_lease_store_config c;
  c.builder = std::move(*builder);
  c.pool = pool;
  c.container = {"shop", "leases"};
  c.prefix = t.prefix;
  c.instance = "host-a";
  c.create_if_missing = std::optional<uint32_t>{};
  auto store = spawn_cosmos_lease_store(sys, std::move(c));
  std::vector<lease_range> two{{"0", "", "80"}, {"1", "80", "FF"}};
  REQUIRE(ask<std::vector<lease>>(self, store, lease_create_atom::value, two, std::string{}));
  auto listed = list_cosmos_leases(t);
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  // Lease 1 changes after the listing: the replace of lease 0 goes through, lease 1's is refused.
  REQUIRE(ask<lease>(self, store, lease_acquire_atom::value, (*listed)[1]));
  auto reset = *listed;
  for (auto& l : reset)
    l.start_from = "now";
  auto n = replace_cosmos_leases(t, reset);
  REQUIRE_FALSE(n);
  CHECK(render(n.error()) == "conflict: lease 1 changed since it was listed (is an instance of "
                             "the job running?); 1 of 2 leases were reset");
  auto after = list_cosmos_leases(t);
  REQUIRE(after);
  CHECK((*after)[0].start_from == "now");
  CHECK((*after)[1].owner == "host-a");
  CHECK((*after)[1].start_from.empty());
  self->send_exit(store, caf::exit_reason::user_shutdown);
  self->send_exit(pool, caf::exit_reason::user_shutdown);
}
