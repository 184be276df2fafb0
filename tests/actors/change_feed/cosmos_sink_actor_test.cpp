// The cosmos sink against a `bulkd emulator --in-memory --port 0 --ranges 4` child: changes with
// the feed's system properties land in a 4-range target without them; a target keyed by another
// path; injected 429s; documents the service rejects and documents that are not objects fail
// the batch with a message naming it; a missing target; an exit abandons the batch in hand.

#include "actors/actor_system_setup.hpp"
#include "actors/change_feed/cosmos_sink_actor.hpp"
#include "actors/http_pool.hpp"
#include "clients/cosmos/authorization.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/request_builder.hpp"
#include "clients/error.hpp"
#include "jobs/error_text.hpp"
#include "tests/support/child_process.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <map>
#include <regex>
#include <stdlib.h>
#include <thread>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

constexpr const char* master_key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

bool have_bulkd() {
  if (std::filesystem::exists(BULKD_BINARY))
    return true;
  WARN("bulkd binary not built (" BULKD_BINARY "); build target bulkd to run this test");
  return false;
}

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    char tmpl[] = "/tmp/bulkd-cfsink-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

/// A Cosmos emulator child with four ranges per container, and a plain client to set up and
/// read back containers (retrying injected faults).
class emulator_child {
public:
  emulator_child(const std::filesystem::path& dir, std::string faults)
      : proc_(args(faults), (dir / "emulator.log").string()) {
    std::regex endpoint{R"(endpoint:\s+http://127\.0\.0\.1:(\d+)/)"};
    for (int i = 0; i < 3000 && port_ == 0; ++i) {
      std::smatch m;
      auto out = proc_.output();
      if (std::regex_search(out, m, endpoint))
        port_ = std::stoi(m[1]);
      else if (proc_.wait_for(10ms))
        break;
    }
    REQUIRE(port_ != 0);
    auto cred = cosmos::credential::from_master_key(master_key);
    REQUIRE(cred);
    auto b = cosmos::request_builder::make(url() + "/", std::move(*cred));
    REQUIRE(b);
    builder_.emplace(std::move(*b));
  }

  ~emulator_child() {
    proc_.signal(SIGTERM);
    proc_.wait_for(10s);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const cosmos::request_builder& builder() const { return *builder_; }

  httplib::Response send(const http_request& req) {
    for (int attempt = 0; attempt < 300; ++attempt) {
      httplib::Client cli{"127.0.0.1", port_};
      cli.set_read_timeout(30, 0);
      httplib::Request r;
      r.method = req.method;
      r.path = req.target;
      for (auto& [k, v] : req.headers)
        r.headers.emplace(k, v);
      r.body = req.body;
      auto res = cli.send(r);
      if (res && res->status != 429 && res->status != 503)
        return *res;
      std::this_thread::sleep_for(5ms);
    }
    FAIL("the emulator kept refusing " << describe(req));
    return {};
  }

  void create_container(const cosmos::container_ref& c, std::vector<std::string> paths,
                        cosmos::partition_kind kind = cosmos::partition_kind::hash) {
    auto db = send(builder_->create_database(c.database));
    REQUIRE((db.status == 201 || db.status == 409));
    auto def = cosmos::make_partition_key_definition(std::move(paths), kind, 2);
    REQUIRE(def);
    auto coll = send(builder_->create_container(c, *def));
    INFO(coll.body);
    REQUIRE(coll.status == 201);
  }

  /// The documents of one range (a query scoped to it), or of all when `range` is empty.
  std::vector<nlohmann::json> documents(const cosmos::container_ref& c,
                                        const std::string& range = {}) {
    std::vector<nlohmann::json> out;
    std::string continuation;
    for (int page = 0; page < 1000; ++page) {
      cosmos::query_options o;
      if (!range.empty())
        o.range_id = range;
      o.continuation = continuation;
      auto req = builder_->query_documents(c, "SELECT * FROM c", {}, o);
      REQUIRE(req);
      auto res = send(*req);
      INFO(res.body);
      REQUIRE(res.status == 200);
      auto page_json = nlohmann::json::parse(res.body);
      for (auto& d : page_json["Documents"])
        out.push_back(d);
      continuation = res.get_header_value("x-ms-continuation");
      if (continuation.empty())
        break;
    }
    return out;
  }

  std::map<std::string, nlohmann::json> by_id(const cosmos::container_ref& c) {
    std::map<std::string, nlohmann::json> out;
    for (auto& d : documents(c))
      out[d["id"].get<std::string>()] = d;
    return out;
  }

  int read_status(const cosmos::container_ref& c, const std::string& id,
                  const cosmos::partition_key& key) {
    return send(builder_->read_document(c, id, key)).status;
  }

  /// POST /_emulator/split; returns the children's ids.
  std::vector<std::string> split(const cosmos::container_ref& c, const std::string& range) {
    httplib::Client cli{"127.0.0.1", port_};
    nlohmann::json body{{"db", c.database}, {"coll", c.container}, {"range", range}};
    auto res = cli.Post("/_emulator/split", body.dump(), "application/json");
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    std::vector<std::string> children;
    auto answer = nlohmann::json::parse(res->body);
    for (auto& r : answer["children"])
      children.push_back(r["id"].get<std::string>());
    return children;
  }

private:
  static std::vector<std::string> args(const std::string& faults) {
    std::vector<std::string> a{BULKD_BINARY, "emulator", "--in-memory", "--port", "0",
                               "--ranges",   "4"};
    if (!faults.empty()) {
      a.push_back("--faults");
      a.push_back(faults);
    }
    return a;
  }

  test::child_process proc_;
  int port_ = 0;
  std::optional<cosmos::request_builder> builder_;
};

struct sink_env {
  temp_dir dir;
  emulator_child emulator;
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  http_pool_actor pool;

  explicit sink_env(std::string faults = {})
      : emulator(dir.path, std::move(faults)), sys((configure_actor_system(cfg), cfg)), self(sys) {
    http_pool_config pc;
    pc.workers = 4;
    pool = spawn_http_pool(sys, pc);
  }

  ~sink_env() {
    self->send_exit(pool, caf::exit_reason::user_shutdown);
    self->wait_for(pool);
  }

  cosmos_sink_config config(const std::string& container) {
    cosmos_sink_config c;
    c.spec.target = {"dev", "migrated", container};
    c.account.name = "dev";
    c.account.endpoint = emulator.url() + "/";
    c.account.key = secret{master_key};
    c.pool = pool;
    c.retry.max_attempts = 4;
    c.retry.initial_backoff = 5ms;
    c.retry.max_backoff = 20ms;
    c.jitter = max_jitter();
    return c;
  }

  caf::expected<caf::ok_atom> deliver(const feed_sink_actor& sink, change_batch batch) {
    caf::expected<caf::ok_atom> out = make_error(ec::timeout, "no answer from the sink");
    self->request(sink, 120s, sink_deliver_atom::value, std::move(batch))
        .receive([&](caf::ok_atom x) { out = x; }, [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  void stop(const feed_sink_actor& sink) {
    self->send_exit(sink, caf::exit_reason::user_shutdown);
    self->wait_for(sink);
  }
};

/// A change as the feed returns it: the user fields and stale system properties.
std::string change(const std::string& id, const std::string& pk, int n,
                   const std::string& extra = {}) {
  return R"({"id":")" + id + R"(","pk":")" + pk + R"(","n":)" + std::to_string(n) +
         R"(,"price":10.50,"tags":["a","b"],"nested":{"x":1,"_rid":"keep"})" + extra +
         R"(,"_rid":"c3RhbGUtcmlk","_self":"dbs/stale/colls/stale/docs/stale/",)"
         R"("_etag":"\"stale-etag\"","_attachments":"attachments/","_ts":1000,"_lsn":987654})";
}

change_batch batch_of(std::string range, uint64_t sequence, std::vector<std::string> docs) {
  change_batch b;
  b.job = "copy";
  b.range_id = std::move(range);
  b.continuation = "\"" + std::to_string(sequence) + "\"";
  b.sequence = sequence;
  b.documents = std::move(docs);
  return b;
}

void check_copied(const nlohmann::json& d, const std::string& pk, int n) {
  INFO(d.dump());
  CHECK(d["pk"] == pk);
  CHECK(d["n"] == n);
  CHECK(d["price"] == 10.5);
  CHECK(d["tags"] == nlohmann::json::array({"a", "b"}));
  CHECK(d["nested"] == nlohmann::json{{"x", 1}, {"_rid", "keep"}});
  CHECK_FALSE(d.contains("_lsn"));
  CHECK(d["_ts"] != 1000);
  CHECK(d["_etag"] != "\"stale-etag\"");
  CHECK(d["_rid"] != "c3RhbGUtcmlk");
  CHECK(d["_self"] != "dbs/stale/colls/stale/docs/stale/");
}

std::string text_of(const caf::expected<caf::ok_atom>& r) {
  return r ? std::string{"ok"} : error_text(r.error());
}

} // namespace

TEST_CASE("cosmos sink: changes with system properties land in a 4-range target without them",
          "[cosmos_sink][emulator]") {
  if (!have_bulkd())
    return;
  sink_env e;
  auto cfg = e.config("orders-copy");
  cfg.create_if_missing = cosmos_create_spec{"/pk", std::nullopt};
  auto sink = spawn_cosmos_sink(e.sys, cfg);
  // Two source ranges' batches in flight at once; 250 + 120 documents over 40 keys.
  std::vector<std::string> first, second;
  for (int i = 0; i < 250; ++i)
    first.push_back(change("a" + std::to_string(i), "k" + std::to_string(i % 40), i));
  for (int i = 0; i < 120; ++i)
    second.push_back(change("b" + std::to_string(i), "k" + std::to_string(i % 40), i));
  // The same document twice in one batch: the later version is what stays.
  second.push_back(change("b7", "k7", 7000));
  caf::expected<caf::ok_atom> r1 = make_error(ec::timeout, "no answer");
  caf::expected<caf::ok_atom> r2 = make_error(ec::timeout, "no answer");
  auto h1 = e.self->request(sink, 120s, sink_deliver_atom::value, batch_of("0", 1, first));
  auto h2 = e.self->request(sink, 120s, sink_deliver_atom::value, batch_of("1", 1, second));
  h1.receive([&](caf::ok_atom x) { r1 = x; }, [&](caf::error& err) { r1 = err; });
  h2.receive([&](caf::ok_atom x) { r2 = x; }, [&](caf::error& err) { r2 = err; });
  INFO(text_of(r1) << " / " << text_of(r2));
  REQUIRE(r1);
  REQUIRE(r2);
  cosmos::container_ref target{"migrated", "orders-copy"};
  auto docs = e.emulator.by_id(target);
  CHECK(docs.size() == 370);
  for (int i = 0; i < 250; ++i)
    check_copied(docs["a" + std::to_string(i)], "k" + std::to_string(i % 40), i);
  for (int i = 0; i < 120; ++i)
    check_copied(docs["b" + std::to_string(i)], "k" + std::to_string(i % 40), i == 7 ? 7000 : i);
  // Every range of the target holds some of them (they were routed, not all sent to one).
  size_t total = 0;
  for (auto range : {"0", "1", "2", "3"}) {
    auto n = e.emulator.documents(target, range).size();
    INFO("range " << range);
    CHECK(n > 0);
    total += n;
  }
  CHECK(total == 370);
  // The same batch again (a replay after a crash) is fine: upserts.
  CHECK(e.deliver(sink, batch_of("0", 1, first)));
  CHECK(e.emulator.by_id(target).size() == 370);
  e.stop(sink);
}

TEST_CASE("cosmos sink: a target keyed by another path than the source",
          "[cosmos_sink][emulator]") {
  if (!have_bulkd())
    return;
  sink_env e;
  cosmos::container_ref target{"migrated", "by-region"};
  e.emulator.create_container(target, {"/tenant/region"});
  auto sink = spawn_cosmos_sink(e.sys, e.config("by-region"));
  std::vector<std::string> docs;
  std::vector<std::string> regions{"eu", "us", "apac", "latam", "af"};
  for (int i = 0; i < 60; ++i)
    docs.push_back(change("d" + std::to_string(i), "source-" + std::to_string(i), i,
                          R"(,"tenant":{"region":")" + regions[i % 5] + R"("})"));
  docs.push_back(change("no-region", "source-x", 1)); // the undefined key of the target
  auto r = e.deliver(sink, batch_of("3", 9, docs));
  INFO(text_of(r));
  REQUIRE(r);
  auto stored = e.emulator.by_id(target);
  CHECK(stored.size() == 61);
  for (int i = 0; i < 60; ++i) {
    auto id = "d" + std::to_string(i);
    check_copied(stored[id], "source-" + std::to_string(i), i);
    // Stored under the target's key: a point read with it finds the document.
    CHECK(e.emulator.read_status(target, id, {regions[i % 5]}) == 200);
    CHECK(e.emulator.read_status(target, id, {"source-" + std::to_string(i)}) == 404);
  }
  CHECK(e.emulator.read_status(target, "no-region", {cosmos::pk_undefined{}}) == 200);
  e.stop(sink);
}

TEST_CASE("cosmos sink: after a split of the target the documents are routed to the children",
          "[cosmos_sink][emulator]") {
  if (!have_bulkd())
    return;
  sink_env e;
  cosmos::container_ref target{"migrated", "splitting"};
  e.emulator.create_container(target, {"/pk"});
  auto sink = spawn_cosmos_sink(e.sys, e.config("splitting"));
  auto docs = [](const std::string& prefix) {
    std::vector<std::string> out;
    for (int i = 0; i < 100; ++i)
      out.push_back(change(prefix + std::to_string(i), "k" + std::to_string(i), i));
    return out;
  };
  auto r1 = e.deliver(sink, batch_of("0", 1, docs("before-")));
  INFO(text_of(r1));
  REQUIRE(r1);
  // The sink's routing map still names range 0: its requests meet 410/1002.
  auto children = e.emulator.split(target, "0");
  REQUIRE(children.size() == 2);
  auto r2 = e.deliver(sink, batch_of("0", 2, docs("after-")));
  INFO(text_of(r2));
  REQUIRE(r2);
  auto stored = e.emulator.by_id(target);
  CHECK(stored.size() == 200);
  for (auto& child : children)
    CHECK_FALSE(e.emulator.documents(target, child).empty());
  e.stop(sink);
}

TEST_CASE("cosmos sink: with injected 429s every document is still written",
          "[cosmos_sink][emulator]") {
  if (!have_bulkd())
    return;
  sink_env e{"429=0.4,retry-after=5ms,seed=11"};
  cosmos::container_ref target{"migrated", "throttled"};
  e.emulator.create_container(target, {"/pk"});
  auto cfg = e.config("throttled");
  cfg.retry.max_attempts = 8;
  auto sink = spawn_cosmos_sink(e.sys, cfg);
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    std::vector<std::string> docs;
    for (int i = 0; i < 150; ++i)
      docs.push_back(change("t" + std::to_string(seq) + "-" + std::to_string(i),
                            "k" + std::to_string(i % 25), i));
    auto r = e.deliver(sink, batch_of("0", seq, docs));
    INFO(text_of(r));
    REQUIRE(r);
  }
  auto stored = e.emulator.by_id(target);
  CHECK(stored.size() == 450);
  check_copied(stored["t2-17"], "k17", 17);
  e.stop(sink);
}

TEST_CASE("cosmos sink: documents the service rejects fail the batch with a message naming it",
          "[cosmos_sink][emulator]") {
  if (!have_bulkd())
    return;
  sink_env e;
  cosmos::container_ref target{"migrated", "rejecting"};
  e.emulator.create_container(target, {"/pk"});
  auto sink = spawn_cosmos_sink(e.sys, e.config("rejecting"));
  SECTION("an id with '/'") {
    auto r = e.deliver(sink, batch_of("2", 5,
                                      {change("fine-1", "k1", 1), change("a/b", "k2", 2),
                                       change("fine-2", "k3", 3)}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == static_cast<uint8_t>(ec::http_error));
    CHECK(error_text(r.error()) ==
          "cosmos sink gave up on batch 2#5: 1 of 3 documents not written to migrated/rejecting; "
          "first: document 1 (id \"a/b\"): 400/0: bad request (after 1 attempt)");
    // The others are written.
    auto stored = e.emulator.by_id(target);
    CHECK(stored.size() == 2);
    CHECK(stored.count("fine-1") == 1);
    CHECK(stored.count("fine-2") == 1);
  }
  SECTION("a document over 2 MB") {
    std::string big = R"(,"blob":")" + std::string(2 * 1024 * 1024 + 100, 'x') + "\"";
    auto r =
        e.deliver(sink, batch_of("0", 8, {change("small", "k1", 1), change("big", "k2", 2, big)}));
    REQUIRE_FALSE(r);
    CHECK(error_text(r.error()) ==
          "cosmos sink gave up on batch 0#8: 1 of 2 documents not written to migrated/rejecting; "
          "first: document 1 (id \"big\"): 413/0: entity too large (after 1 attempt)");
    CHECK(e.emulator.by_id(target).count("small") == 1);
  }
  e.stop(sink);
}

TEST_CASE("cosmos sink: bad document text is an error naming the batch, not a crash",
          "[cosmos_sink][emulator]") {
  if (!have_bulkd())
    return;
  sink_env e;
  cosmos::container_ref target{"migrated", "bad-input"};
  e.emulator.create_container(target, {"/pk"});
  auto sink = spawn_cosmos_sink(e.sys, e.config("bad-input"));
  auto r = e.deliver(
      sink, batch_of("1", 3,
                     {change("ok", "k", 1), "[1,2]", "{\"id\":", R"({"pk":"k"})", R"({"id":7})"}));
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == static_cast<uint8_t>(ec::invalid_argument));
  CHECK(error_text(r.error()) ==
        "cosmos sink gave up on batch 1#3: 4 of 5 documents not written to migrated/bad-input; "
        "first: document 1 (not sent): not a JSON object but an array");
  CHECK(e.emulator.by_id(target).count("ok") == 1);
  // The sink is still there for the next batch.
  CHECK(e.deliver(sink, batch_of("1", 4, {change("next", "k", 2)})));
  CHECK(e.emulator.by_id(target).count("next") == 1);
  e.stop(sink);
}

TEST_CASE("cosmos sink: a missing target fails the batch, create_if_missing creates it",
          "[cosmos_sink][emulator]") {
  if (!have_bulkd())
    return;
  sink_env e;
  auto sink = spawn_cosmos_sink(e.sys, e.config("absent"));
  auto r = e.deliver(sink, batch_of("0", 1, {change("x", "k", 1)}));
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == static_cast<uint8_t>(ec::not_found));
  auto text = error_text(r.error());
  CHECK(text.rfind("cosmos sink cannot write batch 0#1 to migrated/absent: ", 0) == 0);
  CHECK(text.find("does not exist") != std::string::npos);
  e.stop(sink);
  auto cfg = e.config("absent");
  cfg.create_if_missing = cosmos_create_spec{"/pk", 400};
  auto creating = spawn_cosmos_sink(e.sys, cfg);
  CHECK(e.deliver(creating, batch_of("0", 1, {change("x", "k", 1)})));
  CHECK(e.emulator.by_id({"migrated", "absent"}).size() == 1);
  e.stop(creating);
}

TEST_CASE("cosmos sink: an exit abandons the batch in hand without an answer",
          "[cosmos_sink][emulator]") {
  if (!have_bulkd())
    return;
  sink_env e{"latency=400ms"};
  cosmos::container_ref target{"migrated", "slow"};
  e.emulator.create_container(target, {"/pk"});
  auto sink = spawn_cosmos_sink(e.sys, e.config("slow"));
  auto handle =
      e.self->request(sink, 5s, sink_deliver_atom::value, batch_of("0", 1, {change("x", "k", 1)}));
  // The container is being opened (400 ms per request): the batch is in hand at the exit.
  std::thread stopper{[sink] {
    std::this_thread::sleep_for(100ms);
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  }};
  caf::expected<caf::ok_atom> answer = make_error(ec::unspecified, "none");
  handle.receive([&](caf::ok_atom x) { answer = x; }, [&](caf::error& err) { answer = err; });
  stopper.join();
  INFO(text_of(answer));
  CHECK_FALSE(answer);
  e.self->wait_for(sink);
}
