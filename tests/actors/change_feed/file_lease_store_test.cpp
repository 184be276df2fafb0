// The file lease store: create, acquire, renew, checkpoint, release, split; what a restart reads
// back; a corrupt file fails requests with an error naming it and is left alone.

#include "actors/actor_system_setup.hpp"
#include "actors/change_feed/file_lease_store_actor.hpp"
#include "jobs/change_feed/lease_file.hpp"
#include "tests/actors/change_feed/lease_store_test_support.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace bulkd;
using bulkd::test::ask;
using bulkd::test::by_token;
using namespace std::chrono_literals;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-file-leases-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_text(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct env {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  temp_dir dir;
  fs::path file;
  std::shared_ptr<std::atomic<int64_t>> clock_ms =
      std::make_shared<std::atomic<int64_t>>(1'800'000'000'000);

  env() : sys((configure_actor_system(cfg), cfg)), self(sys) {
    file = lease_file_path(dir.path, "orders-feed");
  }

  lease_store_actor spawn(std::string instance = "host-a") {
    file_lease_store_config c;
    c.file = file;
    c.prefix = "orders-feed.shop.orders";
    c.instance = std::move(instance);
    c.clock = [ms = clock_ms] { return utc_time{std::chrono::milliseconds{ms->load()}}; };
    return spawn_file_lease_store(sys, std::move(c));
  }

  void stop(const lease_store_actor& store) {
    self->send_exit(store, caf::exit_reason::user_shutdown);
    self->wait_for(store);
  }
};

const std::vector<lease_range> three{{"0", "", "55"}, {"1", "55", "AA"}, {"2", "AA", "FF"}};

template <class T>
std::string failure(const caf::expected<T>& x) {
  REQUIRE_FALSE(x);
  return render(x.error());
}

} // namespace

TEST_CASE("file lease store: create, acquire, renew, checkpoint and release round trip",
          "[actors][lease]") {
  env e;
  auto store = e.spawn();
  auto created = ask<std::vector<lease>>(e.self, store, lease_create_atom::value, three,
                                         std::string{"beginning"});
  REQUIRE(created);
  REQUIRE(created->size() == 3);
  auto l0 = *by_token(*created, "0");
  CHECK(l0.id == "orders-feed.shop.orders..0");
  CHECK(l0.free());
  CHECK(l0.range == three[0]);
  CHECK(l0.start_from == "beginning");
  // Idempotent: nothing new, nothing rewritten (not even StartFrom).
  auto again =
      ask<std::vector<lease>>(e.self, store, lease_create_atom::value, three, std::string{"now"});
  REQUIRE(again);
  CHECK(*again == *created);
  auto acquired = ask<lease>(e.self, store, lease_acquire_atom::value, l0);
  REQUIRE(acquired);
  CHECK(acquired->owner == "host-a");
  CHECK(acquired->etag != l0.etag);
  // Acquiring again with the stale copy: the lease is ours already, answered as it is.
  auto again_acquired = ask<lease>(e.self, store, lease_acquire_atom::value, l0);
  REQUIRE(again_acquired);
  CHECK(*again_acquired == *acquired);
  *e.clock_ms += 17'000;
  auto renewed = ask<lease>(e.self, store, lease_renew_atom::value, *acquired);
  REQUIRE(renewed);
  CHECK(renewed->timestamp == acquired->timestamp + 17s);
  auto cp =
      ask<lease>(e.self, store, lease_checkpoint_atom::value, *renewed, std::string{"\"42\""});
  REQUIRE(cp);
  CHECK(cp->continuation == "\"42\"");
  auto released = ask<lease>(e.self, store, lease_release_atom::value, *cp);
  REQUIRE(released);
  CHECK(released->free());
  CHECK(released->continuation == "\"42\"");
  // The copy from before the acquire is stale: acquiring with it now is a conflict.
  auto stale = ask<lease>(e.self, store, lease_acquire_atom::value, l0);
  REQUIRE_FALSE(stale);
  CHECK(failure(stale) == "conflict: lease 0 changed since it was listed (owner none)");
  // Checkpointing a lease that is no longer ours fails.
  auto lost = ask<lease>(e.self, store, lease_checkpoint_atom::value, *cp, std::string{"\"43\""});
  CHECK(failure(lost) == "conflict: lease 0 lost: released");
  auto listed = ask<std::vector<lease>>(e.self, store, lease_list_atom::value);
  REQUIRE(listed);
  CHECK(*by_token(*listed, "0") == *released);
  e.stop(store);
}

TEST_CASE("file lease store: a restart reads back every acknowledged change", "[actors][lease]") {
  env e;
  auto store = e.spawn();
  auto created = ask<std::vector<lease>>(e.self, store, lease_create_atom::value, three,
                                         std::string{"beginning"});
  REQUIRE(created);
  auto acquired = ask<lease>(e.self, store, lease_acquire_atom::value, (*created)[1]);
  REQUIRE(acquired);
  auto cp =
      ask<lease>(e.self, store, lease_checkpoint_atom::value, *acquired, std::string{"\"7\""});
  REQUIRE(cp);
  auto before = ask<std::vector<lease>>(e.self, store, lease_list_atom::value);
  REQUIRE(before);
  e.stop(store);
  auto restarted = e.spawn();
  auto after = ask<std::vector<lease>>(e.self, restarted, lease_list_atom::value);
  REQUIRE(after);
  CHECK(*after == *before);
  CHECK(by_token(*after, "1")->continuation == "\"7\"");
  CHECK(by_token(*after, "0")->start_from == "beginning");
  // The counter continues: the next write's token is new.
  auto renewed = ask<lease>(e.self, restarted, lease_renew_atom::value, *by_token(*after, "1"));
  REQUIRE(renewed);
  for (auto& l : *after)
    CHECK(l.etag != renewed->etag);
  e.stop(restarted);
}

TEST_CASE("file lease store: a split replaces the parent by children with its continuation",
          "[actors][lease]") {
  env e;
  auto store = e.spawn();
  auto created = ask<std::vector<lease>>(e.self, store, lease_create_atom::value, three,
                                         std::string{"2026-11-21T19:30:00Z"});
  REQUIRE(created);
  auto parent = ask<lease>(e.self, store, lease_acquire_atom::value, *by_token(*created, "1"));
  REQUIRE(parent);
  auto cp = ask<lease>(e.self, store, lease_checkpoint_atom::value, *parent, std::string{"\"30\""});
  REQUIRE(cp);
  std::vector<lease_range> children{{"3", "55", "80"}, {"4", "80", "AA"}};
  // Not ours (lease 2 is free): refused.
  auto refused = ask<std::vector<lease>>(e.self, store, lease_split_atom::value,
                                         *by_token(*created, "2"), children);
  CHECK(failure(refused) == "conflict: lease 2 lost: released");
  auto split = ask<std::vector<lease>>(e.self, store, lease_split_atom::value, *cp, children);
  REQUIRE(split);
  REQUIRE(split->size() == 2);
  for (auto& child : *split) {
    CHECK(child.owner == "host-a");
    CHECK(child.continuation == "\"30\"");
    CHECK(child.parent == "1");
    CHECK(child.start_from == "2026-11-21T19:30:00Z");
  }
  CHECK((*split)[0].range == children[0]);
  CHECK((*split)[1].id == "orders-feed.shop.orders..4");
  auto listed = ask<std::vector<lease>>(e.self, store, lease_list_atom::value);
  REQUIRE(listed);
  CHECK(by_token(*listed, "1") == nullptr);
  CHECK(listed->size() == 4);
  // After the split, creating the current ranges adds nothing.
  std::vector<lease_range> current{three[0], children[0], children[1], three[2]};
  auto recreated = ask<std::vector<lease>>(e.self, store, lease_create_atom::value, current,
                                           std::string{"beginning"});
  REQUIRE(recreated);
  CHECK(*recreated == *listed);
  // The old parent is gone.
  auto gone = ask<lease>(e.self, store, lease_renew_atom::value, *cp);
  CHECK(failure(gone) == "not_found: lease 1 is gone (split or deleted)");
  e.stop(store);
}

TEST_CASE("file lease store: a corrupt file fails every request, names the file and stays",
          "[actors][lease][bad_input]") {
  env e;
  fs::create_directories(e.file.parent_path());
  {
    std::ofstream out{e.file};
    out << R"({"version":1,"etag_counter":3,"leases":[{"id":"x..0","LeaseToken":"0"})";
  }
  auto before = read_text(e.file);
  auto store = e.spawn();
  auto listed = ask<std::vector<lease>>(e.self, store, lease_list_atom::value);
  REQUIRE_FALSE(listed);
  CHECK(render(listed.error()) == "parse_error: leases file " + e.file.string() + ": not JSON");
  auto created = ask<std::vector<lease>>(e.self, store, lease_create_atom::value, three,
                                         std::string{"beginning"});
  REQUIRE_FALSE(created);
  CHECK(render(created.error()) == render(listed.error()));
  CHECK(read_text(e.file) == before);
  {
    std::ofstream out{e.file, std::ios::trunc};
    out << R"({"version":1,"etag_counter":3,"leases":[{"id":"x..0","LeaseToken":"0",)"
           R"("FeedRange":{"Range":{"min":"","max":"FF"}},"Owner":7,"timestamp":"2026-01-01T00:00:00Z"}]})";
  }
  auto wrong_type = ask<std::vector<lease>>(e.self, store, lease_list_atom::value);
  REQUIRE_FALSE(wrong_type);
  CHECK(render(wrong_type.error()) ==
        "parse_error: leases file " + e.file.string() +
            ": leases[0]: lease: \"Owner\" must be a string or null, not number");
  e.stop(store);
}

TEST_CASE("file lease store: requests in flight together are written together, each "
          "answered once on disk, and a failed write fails them all and changes nothing",
          "[actors][lease]") {
  env e;
  auto store = e.spawn();
  auto created = ask<std::vector<lease>>(e.self, store, lease_create_atom::value, three,
                                         std::string{"beginning"});
  REQUIRE(created);
  // Three acquires sent before any answer is read (as three ranges checkpoint at once).
  auto send_all = [&](auto make_request) {
    std::vector<caf::expected<lease>> out;
    std::vector<decltype(make_request(std::declval<const lease&>()))> handles;
    for (auto& l : *created)
      handles.push_back(make_request(l));
    for (auto& h : handles) {
      caf::expected<lease> x = make_error(ec::timeout, "no answer");
      h.receive([&](lease& l) { x = std::move(l); }, [&](caf::error& err) { x = std::move(err); });
      out.push_back(std::move(x));
    }
    return out;
  };
  auto acquired = send_all([&](const lease& l) {
    return e.self->request(store, std::chrono::seconds{60}, lease_acquire_atom::value, l);
  });
  std::set<std::string> etags;
  for (auto& a : acquired) {
    REQUIRE(a);
    CHECK(a->owner == "host-a");
    etags.insert(a->etag);
  }
  CHECK(etags.size() == 3);
  auto on_disk = load_lease_file(e.file);
  REQUIRE(on_disk);
  for (auto& a : acquired)
    CHECK(*by_token(on_disk->leases, a->range.token) == *a);
  // The leases directory becomes a file: the next write fails.
  auto saved = read_text(e.file);
  fs::remove_all(e.file.parent_path());
  { std::ofstream{e.file.parent_path()} << "in the way"; }
  *created = {*acquired[0], *acquired[1], *acquired[2]};
  auto failed = send_all([&](const lease& l) {
    return e.self->request(store, std::chrono::seconds{60}, lease_checkpoint_atom::value, l,
                           std::string{"\"9\""});
  });
  for (auto& f : failed) {
    REQUIRE_FALSE(f);
    CHECK(render(f.error()).find(e.file.parent_path().string()) != std::string::npos);
  }
  fs::remove(e.file.parent_path());
  fs::create_directories(e.file.parent_path());
  { std::ofstream{e.file} << saved; }
  // Nothing of the failed group stayed: the leases are as acquired, and their tokens still work.
  auto listed = ask<std::vector<lease>>(e.self, store, lease_list_atom::value);
  REQUIRE(listed);
  for (auto& a : acquired)
    CHECK(*by_token(*listed, a->range.token) == *a);
  auto cp =
      ask<lease>(e.self, store, lease_checkpoint_atom::value, *acquired[0], std::string{"\"9\""});
  REQUIRE(cp);
  CHECK(cp->continuation == "\"9\"");
  e.stop(store);
}
