// End-to-end: three `bulkd run` processes of one change-feed job share an 8-range container
// through the cosmos lease store: the leases spread 3/3/2, after kill -9 of one the two others
// own all 8 within the lease expiry plus slack, and every document written throughout arrives in
// the union of their sinks.

#include "tests/daemon/change_feed_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace bulkd::feed_test;

namespace {

/// Leases per owner ("" = free) and the tokens, from the lease documents.
std::map<std::string, int> per_owner(const std::map<std::string, std::string>& owners) {
  std::map<std::string, int> out;
  for (auto& [token, owner] : owners)
    ++out[owner];
  return out;
}

std::string describe(const std::map<std::string, std::string>& owners) {
  std::string s;
  for (auto& [token, owner] : owners)
    s += token + "=" + (owner.empty() ? "-" : owner) + " ";
  return s;
}

} // namespace

TEST_CASE("change feed e2e: three instances share 8 ranges with cosmos leases and take over "
          "from a killed one",
          "[change_feed_e2e][cf_leases]") {
  if (!bulkd::bulk_test::have_binary())
    return;
  feed_env env{8};
  REQUIRE(env.ready());
  cosmos_api api{env.port};
  REQUIRE(api.range_ids("db", "c").size() == 8);
  constexpr int max_batch = 50;
  constexpr auto expiration = 6s;

  const std::vector<std::string> names{"a", "b", "c"};
  std::map<std::string, std::unique_ptr<feed_run>> runs;
  std::vector<fs::path> sinks;
  doc_writer writer{env.port, "db", "c", 0};
  for (auto& name : names) {
    feed_spec spec;
    spec.max_batch = max_batch;
    spec.leases = "{ store: cosmos, container: leases, renew_interval: 1s, acquire_interval: 1s, "
                  "expiration: 6s, instance_name: " +
                  name + " }";
    auto out = env.dir.path / ("out-" + name + ".jsonl");
    sinks.push_back(out);
    spec.sink = jsonl_sink_yaml(out);
    auto job = spec.write(env.dir.path / ("feed-" + name + ".yaml"));
    // Each instance as if on its own machine: its own config and state directory.
    auto home = env.dir.path / name;
    fs::create_directories(home);
    auto config = bulkd::bulk_test::write_config(home, env.port);
    runs[name] = std::make_unique<feed_run>(job, config, env.dir.path, name);
  }
  auto outputs = [&] {
    std::string s;
    for (auto& [name, run] : runs)
      s += "--- " + name + ":\n" + run->proc.output();
    return s;
  };

  std::map<std::string, std::string> owners;
  auto spread = [&] {
    auto o = cosmos_lease_owners(api, "db", "leases");
    if (!o)
      return false;
    owners = *o;
    if (owners.size() != 8)
      return false;
    auto counts = per_owner(owners);
    std::vector<int> n;
    for (auto& name : names)
      n.push_back(counts[name]);
    std::sort(n.begin(), n.end());
    return n == std::vector<int>{2, 3, 3};
  };
  auto start = clock_type::now();
  bool balanced = wait_until(spread, 120s, 250ms);
  INFO("leases: " << describe(owners));
  INFO(outputs());
  REQUIRE(balanced);
  auto balance_seconds = seconds_since(start);

  // kill -9 an instance holding three.
  auto counts = per_owner(owners);
  std::string victim = counts["a"] == 3 ? "a" : "b";
  runs[victim]->proc.signal(SIGKILL);
  CHECK(runs[victim]->proc.wait_for(10s) == 128 + SIGKILL);
  auto killed_at = clock_type::now();
  std::set<std::string> survivors;
  for (auto& name : names)
    if (name != victim)
      survivors.insert(name);

  auto taken_over = [&] {
    auto o = cosmos_lease_owners(api, "db", "leases");
    if (!o)
      return false;
    owners = *o;
    if (owners.size() != 8)
      return false;
    for (auto& [token, owner] : owners)
      if (survivors.count(owner) == 0)
        return false;
    return true;
  };
  bool took_over = wait_until(taken_over, expiration + 30s, 250ms);
  auto takeover_seconds = seconds_since(killed_at);
  INFO("leases: " << describe(owners));
  CHECK(took_over);

  // Some more writes with the two survivors, then the union of the sinks has every document.
  std::this_thread::sleep_for(2s);
  auto written = writer.stop();
  REQUIRE_FALSE(writer.failed());
  std::vector<std::unique_ptr<sink_tail>> tails;
  for (auto& p : sinks)
    tails.push_back(std::make_unique<sink_tail>(p));
  auto union_has_all = [&] {
    seq_tally all;
    for (auto& t : tails)
      for (auto& [seq, c] : t->poll().counts)
        all.counts[seq] += c;
    return all.has_all(0, written);
  };
  bool delivered = wait_until(union_has_all, 120s, 250ms);
  for (auto& name : survivors)
    runs[name]->proc.signal(SIGTERM);
  for (auto& name : survivors) {
    auto rc = runs[name]->proc.wait_for(60s);
    CHECK(rc == 0);
  }
  INFO(outputs());
  CHECK(delivered);

  seq_tally all;
  for (auto& p : sinks)
    all.add_file(p);
  CHECK(all.bad.empty());
  auto missing = all.missing(0, written);
  INFO("missing " << head(missing));
  CHECK(missing.empty());
  // Only the killed instance's ranges are read again from their last checkpoint.
  CHECK(all.duplicates() <= static_cast<size_t>(3 * max_batch));

  // Stopped instances release their leases.
  auto after = cosmos_lease_owners(api, "db", "leases");
  REQUIRE(after);
  INFO("leases after the stop: " << describe(*after));
  CHECK(after->size() == 8);
  CHECK(per_owner(*after)[""] == 8);

  auto line = "change-feed e2e leases: 3 instances spread 3/3/2 after " +
              std::to_string(balance_seconds) +
              " s; after kill -9 of one the survivors owned all " + "8 ranges after " +
              std::to_string(takeover_seconds) + " s (expiration 6 s); " + std::to_string(written) +
              " docs, " + std::to_string(all.duplicates()) + " duplicates";
  bulkd::bulk_test::report_figure(line);
  WARN(line);
}
