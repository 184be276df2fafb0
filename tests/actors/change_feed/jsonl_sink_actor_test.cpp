#include "actors/actor_system_setup.hpp"
#include "actors/change_feed/jsonl_sink_actor.hpp"
#include "clients/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace bulkd;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "bulkd-jsonl-actor-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::string read_all(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

change_batch batch(std::string range, uint64_t seq, std::vector<std::string> docs) {
  change_batch b;
  b.job = "feed";
  b.range_id = std::move(range);
  b.sequence = seq;
  b.documents = std::move(docs);
  return b;
}

struct sink_env {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  feed_sink_actor sink;

  explicit sink_env(jsonl_sink_config config) : sys((configure_actor_system(cfg), cfg)), self(sys) {
    sink = spawn_jsonl_sink(sys, std::move(config));
  }
  ~sink_env() {
    self->send_exit(sink, caf::exit_reason::user_shutdown);
    self->wait_for(sink);
  }

  caf::error deliver(change_batch b) {
    caf::error out = make_error(ec::unspecified, "no answer");
    self->request(sink, 30s, sink_deliver_atom::value, std::move(b))
        .receive([&](caf::ok_atom) { out = caf::none; }, [&](caf::error& err) { out = err; });
    return out;
  }
};

} // namespace

TEST_CASE("jsonl sink actor writes batches of interleaved ranges and acks them",
          "[jsonl_sink_actor]") {
  temp_dir tmp;
  auto file = tmp.path / "out" / "feed.jsonl";
  jsonl_sink_config config;
  config.spec.path = file.string();
  config.spec.rotate = 64;
  sink_env env{config};
  std::string expected;
  for (uint64_t seq = 0; seq < 20; ++seq)
    for (std::string range : {"0", "1"}) {
      auto doc = "{\"range\":\"" + range + "\",\"seq\":" + std::to_string(seq) + "}";
      REQUIRE_FALSE(env.deliver(batch(range, seq, {doc, doc})));
      expected += doc + "\n" + doc + "\n";
    }
  // Every batch is 2 lines of 21-22 bytes: the file rotated before each fourth batch or so; the
  // active file and the rotated ones, in name order, hold every line once, in order.
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(file.parent_path()))
    if (e.path() != file)
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  files.push_back(file);
  CHECK(files.size() > 5);
  std::string all;
  for (auto& f : files) {
    auto content = read_all(f);
    CHECK(content.size() < 64 + 2 * 23);
    all += content;
  }
  CHECK(all == expected);
}

TEST_CASE("jsonl sink actor retries an I/O error and then acks", "[jsonl_sink_actor]") {
  temp_dir tmp;
  // The parent "directory" is a file at first.
  auto blocker = tmp.path / "out";
  std::ofstream{blocker} << "x";
  jsonl_sink_config config;
  config.spec.path = (blocker / "feed.jsonl").string();
  config.retry = {100, 10ms, 20ms};
  sink_env env{config};
  std::thread fixer{[&] {
    std::this_thread::sleep_for(100ms);
    fs::remove(blocker);
  }};
  auto err = env.deliver(batch("0", 1, {"{\"a\":1}"}));
  fixer.join();
  CHECK_FALSE(err);
  CHECK(read_all(blocker / "feed.jsonl") == "{\"a\":1}\n");
}

TEST_CASE("jsonl sink actor gives up after the retry policy's attempts", "[jsonl_sink_actor]") {
  temp_dir tmp;
  auto blocker = tmp.path / "out";
  std::ofstream{blocker} << "x";
  jsonl_sink_config config;
  config.spec.path = (blocker / "feed.jsonl").string();
  config.retry = {3, 1ms, 2ms};
  sink_env env{config};
  auto err = env.deliver(batch("7", 42, {"{}"}));
  REQUIRE(err);
  CHECK(render(err) == "io_error: jsonl sink gave up on batch 7#42 after 3 attempts: cannot "
                       "create directory " +
                           blocker.string() + ": Not a directory");
  // The sink is still there for the next batch.
  fs::remove(blocker);
  CHECK_FALSE(env.deliver(batch("7", 42, {"{}"})));
}

TEST_CASE("jsonl sink actor fails a path that is no file name at once", "[jsonl_sink_actor]") {
  jsonl_sink_config config;
  config.spec.path = "";
  config.retry = {5, 1s, 2s};
  sink_env env{config};
  auto err = env.deliver(batch("0", 0, {"{}"}));
  REQUIRE(err);
  CHECK(render(err) == "invalid_argument: jsonl sink gave up on batch 0#0 after 1 attempt: "
                       "jsonl sink path '' is not a file name");
}

TEST_CASE("jsonl sink actor acks batches of many ranges in flight together, each once durable",
          "[jsonl_sink_actor]") {
  temp_dir tmp;
  auto file = tmp.path / "feed.jsonl";
  jsonl_sink_config config;
  config.spec.path = file.string();
  sink_env env{config};
  // 16 ranges deliver at once, as their readers do: the sink writes what waits in its mailbox
  // and fsyncs once for all of it (group commit); every batch is acked, and only after it is in
  // the file.
  for (int round = 0; round < 5; ++round) {
    std::vector<decltype(env.self->request(env.sink, 30s, sink_deliver_atom::value,
                                           change_batch{}))>
        handles;
    for (int range = 0; range < 16; ++range) {
      auto doc = "{\"r\":" + std::to_string(range) + ",\"round\":" + std::to_string(round) + "}";
      handles.push_back(env.self->request(env.sink, 30s, sink_deliver_atom::value,
                                          batch(std::to_string(range), round, {doc})));
    }
    for (int range = 0; range < 16; ++range) {
      bool acked = false;
      handles[range].receive([&](caf::ok_atom) { acked = true; }, [&](caf::error&) {});
      REQUIRE(acked);
      auto doc = "{\"r\":" + std::to_string(range) + ",\"round\":" + std::to_string(round) + "}";
      CHECK(read_all(file).find(doc + "\n") != std::string::npos);
    }
  }
  std::istringstream lines{read_all(file)};
  int count = 0;
  for (std::string line; std::getline(lines, line);)
    ++count;
  CHECK(count == 80);
}
