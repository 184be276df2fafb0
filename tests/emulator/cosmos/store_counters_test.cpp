#include "emulator/cosmos/store.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace bulkd::emulator::cosmos;

namespace {

struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("bulkd-store-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  std::string db() const { return (path / "cosmos.sqlite").string(); }
};

int64_t make_container(store& s) {
  auto db = s.create_database("db");
  REQUIRE(db);
  REQUIRE(*db);
  auto c = s.create_container((*db)->number, "c", "{}", R"({"paths":["/pk"],"kind":"Hash"})",
                              {{"", "7F"}, {"7F", "FF"}});
  REQUIRE(c);
  REQUIRE(*c);
  return (*c)->key;
}

document_write upsert(int64_t container, const std::string& id, const std::string& range = "0") {
  document_write w;
  w.container = container;
  w.mode = write_mode::upsert;
  w.id = id;
  w.pk = R"(["p"])";
  w.range_id = range;
  w.epk = range == "0" ? "05" : "8A";
  w.body = R"({"v":1})";
  return w;
}

} // namespace

TEST_CASE("store: counters continue after a reopen", "[emulator][cosmos][store]") {
  temp_dir dir{"reopen"};
  int64_t key = 0;
  write_outcome last;
  {
    auto s = store::open(dir.db());
    REQUIRE(s);
    key = make_container(**s);
    for (int i = 0; i < 3; ++i) {
      auto out = (*s)->write_document(upsert(key, "d" + std::to_string(i)));
      REQUIRE(out);
      REQUIRE(out->status == 201);
      last = *out;
    }
    CHECK(last.range_lsn == 3);
    CHECK(last.doc.number == 3);
  }
  auto s = store::open(dir.db());
  REQUIRE(s);
  auto read = (*s)->read_document(key, "0", R"(["p"])", "d2");
  REQUIRE(read);
  REQUIRE(read->doc);
  CHECK(read->doc->etag == last.doc.etag);
  CHECK(read->range_lsn == 3);
  auto out = (*s)->write_document(upsert(key, "d3"));
  REQUIRE(out);
  REQUIRE(out->status == 201);
  CHECK(out->range_lsn == 4);
  CHECK(out->doc.lsn == 4);
  CHECK(out->doc.number == 4);
  CHECK(out->doc.etag != last.doc.etag);
  auto other = (*s)->write_document(upsert(key, "e0", "1"));
  REQUIRE(other);
  CHECK(other->range_lsn == 1);
  CHECK(other->doc.number == 5);
}

TEST_CASE("store: a rolled-back transaction leaves no gap in the counters",
          "[emulator][cosmos][store]") {
  auto s = store::open(":memory:");
  REQUIRE(s);
  auto key = make_container(**s);
  auto first = (*s)->write_document(upsert(key, "a"));
  REQUIRE(first);
  CHECK(first->range_lsn == 1);
  auto done = (*s)->transact([&](document_transaction& tx) -> caf::expected<bool> {
    for (auto id : {"b", "c"}) {
      auto out = tx.write(upsert(key, id));
      REQUIRE(out);
      REQUIRE(out->status == 201);
    }
    return false;
  });
  REQUIRE(done);
  CHECK_FALSE(*done);
  auto gone = (*s)->read_document(key, "0", R"(["p"])", "b");
  REQUIRE(gone);
  CHECK_FALSE(gone->doc);
  CHECK(gone->range_lsn == 1);
  auto next = (*s)->write_document(upsert(key, "d"));
  REQUIRE(next);
  CHECK(next->range_lsn == 2);
  CHECK(next->doc.number == 2);
  // A failed status changes nothing either.
  auto create = upsert(key, "d");
  create.mode = write_mode::create;
  auto conflict = (*s)->write_document(create);
  REQUIRE(conflict);
  CHECK(conflict->status == 409);
  CHECK(conflict->range_lsn == 2);
}

TEST_CASE("store: concurrent batches commit together, a failing one rolls back only itself",
          "[emulator][cosmos][store]") {
  temp_dir dir{"group"};
  auto s = store::open(dir.db());
  REQUIRE(s);
  auto key = make_container(**s);
  constexpr int threads = 8;
  constexpr int per_batch = 20;
  std::vector<caf::expected<bool>> results(threads, false);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        auto r = (*s)->transact([&](document_transaction& tx) -> caf::expected<bool> {
          for (int i = 0; i < per_batch; ++i) {
            auto id =
                "t" + std::to_string(t) + "-r" + std::to_string(round) + "-" + std::to_string(i);
            auto out = tx.write(upsert(key, id, t % 2 == 0 ? "0" : "1"));
            if (!out)
              return out.error();
          }
          // Thread 3 fails atomically after writing (like a transactional batch's 409).
          return t != 3;
        });
        if (round == 0)
          results[t] = r;
        if (!r)
          results[t] = r;
      }
    });
  for (auto& th : pool)
    th.join();
  for (int t = 0; t < threads; ++t) {
    INFO("thread " << t);
    REQUIRE(results[t]);
    CHECK(*results[t] == (t != 3));
  }
  auto all = (*s)->query_documents(key, std::nullopt, std::nullopt);
  REQUIRE(all);
  CHECK(all->size() == (threads - 1) * 5 * per_batch);
  std::set<std::string> etags;
  std::set<uint64_t> numbers;
  std::set<std::pair<std::string, int64_t>> lsns;
  for (auto& d : *all) {
    CHECK(d.id.rfind("t3-", 0) != 0);
    etags.insert(d.etag);
    numbers.insert(d.number);
    lsns.emplace(d.range_id, d.lsn);
  }
  CHECK(etags.size() == all->size());
  CHECK(numbers.size() == all->size());
  CHECK(lsns.size() == all->size());
  // The LSNs of each range are 1..n without gaps (the rolled-back batch gave its numbers back).
  for (std::string range : {"0", "1"}) {
    int64_t n = 0;
    for (auto& d : *all)
      n += d.range_id == range ? 1 : 0;
    auto read = (*s)->read_document(key, range, R"(["p"])", "none");
    REQUIRE(read);
    CHECK(read->range_lsn == n);
  }
  // After a reopen the counters go on from there.
  s->reset();
  auto again = store::open(dir.db());
  REQUIRE(again);
  auto out = (*again)->write_document(upsert(key, "after"));
  REQUIRE(out);
  CHECK(numbers.count(out->doc.number) == 0);
  CHECK(etags.count(out->doc.etag) == 0);
  CHECK(lsns.count({"0", out->doc.lsn}) == 0);
}
