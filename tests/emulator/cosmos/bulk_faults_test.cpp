#include "tests/emulator/cosmos/emulator_fixture.hpp"

#include <set>

using namespace bulkd::emulator;
using namespace bulkd::emulator::testing;
using nlohmann::json;

namespace {

const std::string docs = "/dbs/db/colls/c/docs";

fixture_options faulty(const std::string& spec) {
  fixture_options opts;
  opts.ranges = 1;
  auto parsed = parse_faults(spec);
  REQUIRE(parsed);
  opts.faults = *parsed;
  return opts;
}

struct faulty_container : emulator_fixture {
  explicit faulty_container(const std::string& spec) : emulator_fixture(faulty(spec)) {
    REQUIRE(until_answered([&] { return create_database("db"); }).status == 201);
    REQUIRE(until_answered([&] {
              return create_container("db", "c", {{"paths", {"/pk"}}, {"version", 2}});
            }).status == 201);
  }

  // Repeats a request the faults throttled as a whole.
  template <class F>
  reply until_answered(F send_once) {
    for (int i = 0; i < 200; ++i) {
      auto r = send_once();
      if (r.status != 429)
        return r;
    }
    FAIL("still throttled after 200 attempts");
    return {};
  }

  reply bulk(const json& ops, bool atomic = false) {
    httplib::Headers h{{"x-ms-cosmos-is-batch-request", "True"}};
    if (atomic) {
      h.emplace("x-ms-cosmos-batch-atomic", "True");
      h.emplace("x-ms-documentdb-partitionkey", "[\"same\"]");
    } else {
      h.emplace("x-ms-cosmos-batch-atomic", "False");
      h.emplace("x-ms-cosmos-batch-continue-on-error", "True");
      h.emplace("x-ms-documentdb-partitionkeyrangeid", "0");
    }
    return send("POST", docs, ops.dump(), h);
  }

  std::set<std::string> stored_ids() {
    std::set<std::string> out;
    std::string cont;
    for (;;) {
      httplib::Headers h{{"x-ms-max-item-count", "1000"}};
      if (!cont.empty())
        h.emplace("x-ms-continuation", cont);
      auto r = until_answered([&] { return send("GET", docs, "", h); });
      REQUIRE(r.status == 200);
      for (const auto& d : r.json["Documents"])
        out.insert(d["id"].get<std::string>());
      cont = r.header("x-ms-continuation");
      if (cont.empty())
        return out;
    }
  }
};

json upsert(const std::string& id, const std::string& pk) {
  return {{"operationType", "Upsert"},
          {"partitionKey", json::array({pk}).dump()},
          {"resourceBody", {{"id", id}, {"pk", pk}}}};
}

// The statuses of 12 bulk batches of 25 upserts, sent once each: "R" for a batch throttled as a
// whole, else one status per operation.
struct bulk_run {
  std::vector<std::string> trace;
  std::set<std::string> applied;
  std::set<std::string> throttled;
  int whole_429 = 0;
};

bulk_run run_bulk(faulty_container& emu) {
  bulk_run out;
  for (int b = 0; b < 12; ++b) {
    json ops = json::array();
    for (int i = 0; i < 25; ++i) {
      auto id = "b" + std::to_string(b) + "-" + std::to_string(i);
      ops.push_back(upsert(id, "k" + std::to_string(i)));
    }
    auto r = emu.bulk(ops);
    if (r.status == 429) {
      CHECK(r.header("x-ms-substatus") == "3200");
      out.trace.push_back("R");
      ++out.whole_429;
      continue;
    }
    REQUIRE((r.status == 200 || r.status == 207));
    REQUIRE(r.json.size() == 25);
    std::string statuses;
    bool any_throttled = false;
    for (size_t i = 0; i < 25; ++i) {
      const auto& e = r.json[i];
      auto id = ops[i]["resourceBody"]["id"].get<std::string>();
      int status = e["statusCode"];
      statuses += std::to_string(status) + " ";
      if (status == 429) {
        any_throttled = true;
        CHECK(e["subStatusCode"] == 3200);
        CHECK(e["retryAfterMilliseconds"] == 25);
        CHECK(e["requestCharge"] == 0);
        CHECK_FALSE(e.contains("resourceBody"));
        out.throttled.insert(id);
      } else {
        CHECK(status == 201);
        out.applied.insert(id);
      }
    }
    CHECK(r.status == (any_throttled ? 207 : 200));
    out.trace.push_back(statuses);
  }
  return out;
}

} // namespace

TEST_CASE("cosmos faults: bulk operations are throttled one by one and not applied",
          "[emulator][cosmos][faults]") {
  faulty_container emu{"429=0.4,retry-after=25ms,seed=1234"};
  auto run = run_bulk(emu);
  CHECK(run.whole_429 > 0);
  CHECK(run.whole_429 < 12);
  CHECK_FALSE(run.throttled.empty());
  CHECK_FALSE(run.applied.empty());
  CHECK(emu.srv->faults_injected().throttled_operations == run.throttled.size());
  // Exactly the acknowledged operations were applied.
  CHECK(emu.stored_ids() == run.applied);

  SECTION("the same seed throttles the same operations") {
    faulty_container twin{"429=0.4,retry-after=25ms,seed=1234"};
    auto again = run_bulk(twin);
    CHECK(again.trace == run.trace);
    CHECK(again.applied == run.applied);
  }
  SECTION("another seed throttles others") {
    faulty_container other{"429=0.4,retry-after=25ms,seed=99"};
    CHECK(run_bulk(other).trace != run.trace);
  }
}

TEST_CASE("cosmos faults: transactional batches are throttled only as a whole",
          "[emulator][cosmos][faults]") {
  faulty_container emu{"429=0.5,retry-after=25ms,seed=5"};
  int whole = 0;
  for (int b = 0; b < 15; ++b) {
    json ops = json::array();
    for (int i = 0; i < 10; ++i)
      ops.push_back(upsert("t" + std::to_string(b) + "-" + std::to_string(i), "same"));
    auto r = emu.bulk(ops, true);
    if (r.status == 429) {
      ++whole;
      continue;
    }
    REQUIRE(r.status == 200);
    for (const auto& e : r.json)
      CHECK(e["statusCode"] == 201);
  }
  CHECK(whole > 0);
  CHECK(emu.srv->faults_injected().throttled_operations == 0);
}

TEST_CASE("cosmos faults: a client that retries throttled operations lands every document",
          "[emulator][cosmos][faults]") {
  faulty_container emu{"429=0.3,retry-after=1ms,seed=77"};
  std::vector<json> pending;
  for (int i = 0; i < 400; ++i)
    pending.push_back(upsert("r" + std::to_string(i), "k" + std::to_string(i % 17)));
  int rounds = 0;
  while (!pending.empty()) {
    REQUIRE(++rounds < 200);
    std::vector<json> next;
    for (size_t start = 0; start < pending.size(); start += 100) {
      json ops = json::array();
      for (size_t i = start; i < std::min(pending.size(), start + 100); ++i)
        ops.push_back(pending[i]);
      auto r = emu.bulk(ops);
      if (r.status == 429) {
        for (const auto& op : ops)
          next.push_back(op);
        continue;
      }
      REQUIRE(r.json.size() == ops.size());
      for (size_t i = 0; i < ops.size(); ++i) {
        if (r.json[i]["statusCode"] == 429)
          next.push_back(ops[i]);
        else
          CHECK(r.json[i]["statusCode"] == 201);
      }
    }
    pending = std::move(next);
  }
  CHECK(rounds > 1);
  CHECK(emu.stored_ids().size() == 400);
}
