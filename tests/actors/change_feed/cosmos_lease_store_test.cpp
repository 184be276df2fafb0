// The Cosmos lease store against a `bulkd emulator --in-memory --port 0` child: the lease
// container is created, two instances racing for one lease (exactly one wins), a lost lease
// cannot be checkpointed, 412 while still the owner is retried on a fresh copy, and a split
// replaces the parent lease by its children.

#include "actors/actor_system_setup.hpp"
#include "actors/change_feed/cosmos_lease_store_actor.hpp"
#include "actors/http_pool.hpp"
#include "clients/cosmos/authorization.hpp"
#include "jobs/change_feed/lease_balancer.hpp"
#include "jobs/change_feed/lease_update.hpp"
#include "tests/actors/change_feed/lease_store_test_support.hpp"
#include "tests/actors/key_backup/kv_emulator.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <map>

using namespace bulkd;
using bulkd::test::ask;
using bulkd::test::by_token;
using namespace std::chrono_literals;

namespace {

constexpr const char* master_key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

struct cosmos_env {
  test::temp_dir dir;
  test::kv_emulator emulator{dir.path};
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  http_pool_actor pool;

  cosmos_env() : sys((configure_actor_system(cfg), cfg)), self(sys) {
    http_pool_config pc;
    pc.workers = 4;
    pool = spawn_http_pool(sys, pc);
  }

  ~cosmos_env() {
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    self->wait_for(pool);
  }

  // Lease timestamps of every store come from this clock (tests move it to expire leases).
  std::shared_ptr<std::atomic<int64_t>> clock_ms = std::make_shared<std::atomic<int64_t>>(
      std::chrono::duration_cast<std::chrono::milliseconds>(lease_now().time_since_epoch())
          .count());

  utc_time now() const { return utc_time{std::chrono::milliseconds{clock_ms->load()}}; }

  lease_store_actor spawn(std::string instance, std::string container = "leases",
                          bool create = true, bool minimal_responses = false) {
    auto cred = cosmos::credential::from_master_key(master_key);
    REQUIRE(cred);
    cosmos::request_options options;
    options.minimal_write_responses = minimal_responses;
    auto builder = cosmos::request_builder::make(emulator.url() + "/", std::move(*cred), options);
    REQUIRE(builder);
    cosmos_lease_store_config c;
    c.builder = std::move(*builder);
    c.pool = pool;
    c.container = {"feeds", container};
    c.prefix = "orders-feed.shop.orders";
    c.instance = std::move(instance);
    if (create)
      c.create_if_missing = std::optional<uint32_t>{};
    c.clock = [ms = clock_ms] { return utc_time{std::chrono::milliseconds{ms->load()}}; };
    c.session.initial_backoff = 10ms;
    c.session.max_backoff = 100ms;
    return spawn_cosmos_lease_store(sys, std::move(c));
  }

  void stop(const lease_store_actor& store) {
    self->send_exit(store, caf::exit_reason::user_shutdown);
    self->wait_for(store);
  }
};

const std::vector<lease_range> four{
    {"0", "", "10"}, {"1", "10", "20"}, {"2", "20", "30"}, {"3", "30", "FF"}};

} // namespace

TEST_CASE("cosmos lease store: creates the container and the leases once, lists them",
          "[actors][lease][emulator]") {
  if (!test::have_bulkd_binary())
    return;
  cosmos_env e;
  REQUIRE(e.emulator.port() != 0);
  auto a = e.spawn("host-a");
  auto b = e.spawn("host-b");
  auto created =
      ask<std::vector<lease>>(e.self, a, lease_create_atom::value, four, std::string{"beginning"});
  REQUIRE(created);
  REQUIRE(created->size() == 4);
  CHECK((*created)[0].id == "orders-feed.shop.orders..0");
  CHECK((*created)[3].range == four[3]);
  for (auto& l : *created) {
    CHECK(l.free());
    CHECK(l.start_from == "beginning");
    CHECK_FALSE(l.etag.empty());
  }
  // The other instance creating the same ranges changes nothing (not even StartFrom).
  auto again =
      ask<std::vector<lease>>(e.self, b, lease_create_atom::value, four, std::string{"now"});
  REQUIRE(again);
  CHECK(*again == *created);
  auto listed = ask<std::vector<lease>>(e.self, b, lease_list_atom::value);
  REQUIRE(listed);
  CHECK(*listed == *created);
  e.stop(a);
  e.stop(b);
}

TEST_CASE("cosmos lease store: two instances racing for one lease, exactly one wins, the loser "
          "cannot checkpoint",
          "[actors][lease][emulator]") {
  if (!test::have_bulkd_binary())
    return;
  cosmos_env e;
  auto a = e.spawn("host-a");
  auto b = e.spawn("host-b");
  auto created =
      ask<std::vector<lease>>(e.self, a, lease_create_atom::value, four, std::string{"beginning"});
  REQUIRE(created);
  auto seen = *by_token(*created, "2");
  // Both ask at once with the copy they listed: both requests are out before either answer is
  // read.
  std::vector<caf::expected<lease>> answers;
  auto r1 = e.self->request(a, 60s, lease_acquire_atom::value, seen);
  auto r2 = e.self->request(b, 60s, lease_acquire_atom::value, seen);
  for (auto* r : {&r1, &r2})
    r->receive([&](lease& l) { answers.emplace_back(std::move(l)); },
               [&](caf::error& err) { answers.emplace_back(std::move(err)); });
  REQUIRE(answers.size() == 2);
  auto wins = std::count_if(answers.begin(), answers.end(), [](auto& x) { return bool(x); });
  CHECK(wins == 1);
  auto& won = answers[0] ? answers[0] : answers[1];
  auto& lost = answers[0] ? answers[1] : answers[0];
  REQUIRE(won);
  REQUIRE_FALSE(lost);
  auto winner = won->owner;
  auto loser = winner == "host-a" ? "host-b" : "host-a";
  CHECK(render(lost.error()) ==
        "conflict: lease 2 changed since it was listed (owner " + winner + ")");
  auto& winner_store = winner == "host-a" ? a : b;
  auto& loser_store = winner == "host-a" ? b : a;
  auto cp =
      ask<lease>(e.self, winner_store, lease_checkpoint_atom::value, *won, std::string{"\"11\""});
  REQUIRE(cp);
  CHECK(cp->continuation == "\"11\"");
  // The loser steals it with the current copy; the old owner's checkpoint and renew now fail.
  auto listed = ask<std::vector<lease>>(e.self, loser_store, lease_list_atom::value);
  REQUIRE(listed);
  auto stolen = ask<lease>(e.self, loser_store, lease_acquire_atom::value, *by_token(*listed, "2"));
  REQUIRE(stolen);
  CHECK(stolen->owner == loser);
  CHECK(stolen->continuation == "\"11\"");
  auto late =
      ask<lease>(e.self, winner_store, lease_checkpoint_atom::value, *cp, std::string{"\"12\""});
  REQUIRE_FALSE(late);
  CHECK(render(late.error()) == std::string{"conflict: lease 2 lost: owned by "} + loser + " now");
  auto renew = ask<lease>(e.self, winner_store, lease_renew_atom::value, *cp);
  REQUIRE_FALSE(renew);
  CHECK(renew.error().code() == static_cast<uint8_t>(ec::conflict));
  auto after = ask<std::vector<lease>>(e.self, a, lease_list_atom::value);
  REQUIRE(after);
  CHECK(by_token(*after, "2")->continuation == "\"11\"");
  CHECK(by_token(*after, "2")->owner == loser);
  e.stop(a);
  e.stop(b);
}

TEST_CASE("cosmos lease store: a stale copy of an own lease is renewed on a fresh read",
          "[actors][lease][emulator]") {
  if (!test::have_bulkd_binary())
    return;
  cosmos_env e;
  auto a = e.spawn("host-a");
  auto created =
      ask<std::vector<lease>>(e.self, a, lease_create_atom::value, four, std::string{"beginning"});
  REQUIRE(created);
  auto held = ask<lease>(e.self, a, lease_acquire_atom::value, (*created)[0]);
  REQUIRE(held);
  auto cp = ask<lease>(e.self, a, lease_checkpoint_atom::value, *held, std::string{"\"5\""});
  REQUIRE(cp);
  // `held` is stale now (412), but the lease is still ours: the renew keeps the checkpoint.
  auto renewed = ask<lease>(e.self, a, lease_renew_atom::value, *held);
  REQUIRE(renewed);
  CHECK(renewed->continuation == "\"5\"");
  CHECK(renewed->etag != cp->etag);
  auto released = ask<lease>(e.self, a, lease_release_atom::value, *renewed);
  REQUIRE(released);
  CHECK(released->free());
  e.stop(a);
}

TEST_CASE("cosmos lease store: a split replaces the parent lease by two children",
          "[actors][lease][emulator]") {
  if (!test::have_bulkd_binary())
    return;
  cosmos_env e;
  auto a = e.spawn("host-a");
  auto b = e.spawn("host-b");
  auto created =
      ask<std::vector<lease>>(e.self, a, lease_create_atom::value, four, std::string{"beginning"});
  REQUIRE(created);
  auto parent = ask<lease>(e.self, a, lease_acquire_atom::value, *by_token(*created, "3"));
  REQUIRE(parent);
  auto cp = ask<lease>(e.self, a, lease_checkpoint_atom::value, *parent, std::string{"\"77\""});
  REQUIRE(cp);
  std::vector<lease_range> children{{"4", "30", "A0"}, {"5", "A0", "FF"}};
  auto refused = ask<std::vector<lease>>(e.self, b, lease_split_atom::value, *cp, children);
  REQUIRE_FALSE(refused);
  CHECK(render(refused.error()) == "conflict: lease 3 lost: owned by host-a now");
  auto split = ask<std::vector<lease>>(e.self, a, lease_split_atom::value, *cp, children);
  REQUIRE(split);
  REQUIRE(split->size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK((*split)[i].range == children[i]);
    CHECK((*split)[i].owner == "host-a");
    CHECK((*split)[i].continuation == "\"77\"");
    CHECK((*split)[i].parent == "3");
    CHECK((*split)[i].start_from == "beginning");
  }
  auto listed = ask<std::vector<lease>>(e.self, b, lease_list_atom::value);
  REQUIRE(listed);
  REQUIRE(listed->size() == 5);
  CHECK(by_token(*listed, "3") == nullptr);
  CHECK(by_token(*listed, "4")->continuation == "\"77\"");
  CHECK(*by_token(*listed, "5") == (*split)[1]);
  auto gone = ask<lease>(e.self, a, lease_checkpoint_atom::value, *cp, std::string{"\"78\""});
  REQUIRE_FALSE(gone);
  CHECK(render(gone.error()) == "not_found: lease 3 is gone (split or deleted)");
  e.stop(a);
  e.stop(b);
}

TEST_CASE("cosmos lease store: with Prefer: return=minimal the new etag comes from the header",
          "[actors][lease][emulator]") {
  if (!test::have_bulkd_binary())
    return;
  cosmos_env e;
  auto a = e.spawn("host-a", "leases", true, true);
  auto created =
      ask<std::vector<lease>>(e.self, a, lease_create_atom::value, four, std::string{"beginning"});
  REQUIRE(created);
  auto held = ask<lease>(e.self, a, lease_acquire_atom::value, (*created)[1]);
  REQUIRE(held);
  CHECK_FALSE(held->etag.empty());
  CHECK(held->etag != (*created)[1].etag);
  auto cp = ask<lease>(e.self, a, lease_checkpoint_atom::value, *held, std::string{"\"3\""});
  REQUIRE(cp);
  auto listed = ask<std::vector<lease>>(e.self, a, lease_list_atom::value);
  REQUIRE(listed);
  CHECK(*by_token(*listed, "1") == *cp);
  e.stop(a);
}

TEST_CASE("cosmos lease store: a missing lease container or one not partitioned by /id is a "
          "clear error",
          "[actors][lease][emulator][bad_input]") {
  if (!test::have_bulkd_binary())
    return;
  cosmos_env e;
  auto missing = e.spawn("host-a", "nowhere", false);
  auto listed = ask<std::vector<lease>>(e.self, missing, lease_list_atom::value);
  REQUIRE_FALSE(listed);
  CHECK(listed.error().code() == static_cast<uint8_t>(ec::not_found));
  CHECK_THAT(render(listed.error()),
             Catch::StartsWith("not_found: lease container feeds/nowhere: "));
  e.stop(missing);
  // A container partitioned by /pk.
  auto cred = cosmos::credential::from_master_key(master_key);
  auto builder = cosmos::request_builder::make(e.emulator.url() + "/", std::move(*cred));
  REQUIRE(builder);
  cosmos::partition_key_definition pk;
  pk.paths = {"/pk"};
  pk.version = 2;
  for (auto req :
       {builder->create_database("feeds"), builder->create_container({"feeds", "by-pk"}, pk)}) {
    int status = 0;
    e.self->request(e.pool, 30s, http_atom::value, req)
        .receive([&](http_response& res) { status = res.status; },
                 [&](caf::error& err) { FAIL(render(err)); });
    CHECK(status == 201);
  }
  auto wrong = e.spawn("host-a", "by-pk", false);
  auto refused = ask<std::vector<lease>>(e.self, wrong, lease_list_atom::value);
  REQUIRE_FALSE(refused);
  CHECK(render(refused.error()) ==
        "invalid_argument: lease container feeds/by-pk must be partitioned by /id, not [/pk]");
  e.stop(wrong);
}

TEST_CASE("cosmos lease store: three instances balancing 8 ranges reach 3/3/2, two survivors "
          "own all 8 once the third one's leases expire",
          "[actors][lease][emulator]") {
  if (!test::have_bulkd_binary())
    return;
  cosmos_env e;
  std::vector<std::string> names{"host-a", "host-b", "host-c"};
  std::map<std::string, lease_store_actor> stores;
  for (auto& n : names)
    stores[n] = e.spawn(n);
  std::vector<lease_range> eight;
  for (int i = 0; i < 8; ++i)
    eight.push_back({std::to_string(i), i == 0 ? "" : std::to_string(i * 10),
                     i == 7 ? "FF" : std::to_string(i * 10 + 10)});
  REQUIRE(ask<std::vector<lease>>(e.self, stores["host-a"], lease_create_atom::value, eight,
                                  std::string{"beginning"}));
  // Held leases per instance, as last written by it.
  std::map<std::string, std::map<std::string, lease>> held;
  auto round = [&](const std::string& me) {
    auto& store = stores[me];
    for (auto it = held[me].begin(); it != held[me].end();) {
      auto renewed = ask<lease>(e.self, store, lease_renew_atom::value, it->second);
      if (renewed) {
        it->second = *renewed;
        ++it;
      } else {
        CHECK(renewed.error().code() == static_cast<uint8_t>(ec::conflict));
        it = held[me].erase(it);
      }
    }
    auto all = ask<std::vector<lease>>(e.self, store, lease_list_atom::value);
    REQUIRE(all);
    auto d = balance_leases(*all, me, e.now(), 60s);
    for (auto& l : d.release) {
      auto mine = held[me].find(l.range.token);
      if (mine == held[me].end())
        continue;
      auto released = ask<lease>(e.self, store, lease_release_atom::value, mine->second);
      held[me].erase(mine);
      CHECK(released);
    }
    auto take = [&](const lease& l) {
      auto got = ask<lease>(e.self, store, lease_acquire_atom::value, l);
      if (got)
        held[me][l.range.token] = *got;
      else
        CHECK(got.error().code() == static_cast<uint8_t>(ec::conflict));
    };
    for (auto& l : d.take)
      take(l);
    if (d.steal)
      take(*d.steal);
  };
  auto shares = [&] {
    auto all = ask<std::vector<lease>>(e.self, stores["host-a"], lease_list_atom::value);
    REQUIRE(all);
    std::map<std::string, int> counts;
    for (auto& l : *all)
      if (!l.expired(e.now(), 60s))
        ++counts[l.owner];
    std::vector<int> out;
    for (auto& [_, n] : counts)
      out.push_back(n);
    std::sort(out.rbegin(), out.rend());
    return out;
  };
  for (int i = 0; i < 12; ++i) {
    for (auto& n : names)
      round(n);
    *e.clock_ms += 1000;
  }
  CHECK(shares() == std::vector<int>{3, 3, 2});
  // What each instance believes it holds matches the store: no range is held twice.
  std::map<std::string, int> holders;
  for (auto& [_, mine] : held)
    for (auto& [token, __] : mine)
      ++holders[token];
  CHECK(holders.size() == 8);
  for (auto& [token, n] : holders)
    CHECK(n == 1);
  // host-c stops renewing; a minute later its leases have expired and the others take them.
  e.stop(stores["host-c"]);
  *e.clock_ms += 61'000;
  for (int i = 0; i < 3; ++i) {
    round("host-a");
    round("host-b");
  }
  CHECK(shares() == std::vector<int>{4, 4});
  CHECK(held["host-a"].size() + held["host-b"].size() == 8);
  for (auto& [_, s] : stores)
    if (_ != "host-c")
      e.stop(s);
}
