// Durability of `bulkd emulator --data-dir`: bulk upserts from several threads, SIGKILL mid-load,
// restart on the same directory; every operation that was acknowledged (200/201) must be there.

#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/http_date.hpp"
#include "clients/cosmos/resource_path.hpp"
#include "emulator/cosmos/cosmos_service.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using nlohmann::json;
namespace fs = std::filesystem;
namespace proto = bulkd::cosmos;
using namespace std::chrono_literals;

namespace {

// A `bulkd emulator` child process; killed with SIGKILL when still running at destruction.
class emulator_process {
public:
  emulator_process(const fs::path& data_dir, const fs::path& log_prefix) {
    out_ = log_prefix.string() + ".out";
    auto err = log_prefix.string() + ".err";
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int out_fd = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(out_fd, 1);
      ::dup2(err_fd, 2);
      auto dir = data_dir.string();
      const char* argv[] = {BULKD_BINARY, "emulator", "--data-dir", dir.c_str(), "--port",
                            "0",          "--ranges", "4",          nullptr};
      ::execv(BULKD_BINARY, const_cast<char* const*>(argv));
      ::_exit(127);
    }
    // The banner names the endpoint once the server listens.
    std::regex endpoint{R"(endpoint: +http://127\.0\.0\.1:([0-9]+)/)"};
    for (int i = 0; i < 300 && port_ == 0; ++i) {
      std::ifstream in{out_};
      std::string text{std::istreambuf_iterator<char>{in}, {}};
      std::smatch m;
      if (std::regex_search(text, m, endpoint))
        port_ = std::stoi(m[1]);
      else if (!running())
        FAIL("the emulator exited at start: " + text);
      else
        std::this_thread::sleep_for(100ms);
    }
    REQUIRE(port_ != 0);
  }

  ~emulator_process() {
    if (pid_ > 0 && running()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  bool running() {
    if (exited_)
      return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = status;
    }
    return !exited_;
  }

  /// Sends `sig` and waits for the exit; returns the wait status.
  int stop(int sig) {
    if (running()) {
      ::kill(pid_, sig);
      ::waitpid(pid_, &status_, 0);
      exited_ = true;
    }
    return status_;
  }

  int port() const { return port_; }

private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
  int status_ = 0;
  std::string out_;
};

struct answer {
  int status = -1; // -1: no answer (connection refused or reset)
  httplib::Headers headers;
  json body;
};

// Signs like an SDK with the well-known key.
answer call(httplib::Client& client, const std::string& method, const std::string& path,
            const std::string& body = {}, httplib::Headers headers = {}) {
  static const auto key = *proto::parse_master_key(bulkd::emulator::cosmos::well_known_key);
  auto addr = proto::parse_resource_path(path);
  REQUIRE(addr);
  std::string verb = method;
  for (auto& c : verb)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto date = proto::format_http_date(std::chrono::system_clock::now());
  headers.emplace("x-ms-date", date);
  headers.emplace("x-ms-version", "2020-07-15");
  headers.emplace("authorization", proto::master_authorization(key, verb, addr->resource_type,
                                                               addr->resource_link, date));
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.headers = std::move(headers);
  req.body = body;
  if (!body.empty())
    req.headers.emplace("Content-Type", "application/json");
  auto res = client.send(req);
  answer out;
  if (!res)
    return out;
  out.status = res->status;
  out.headers = res->headers;
  out.body = json::parse(res->body, nullptr, false);
  return out;
}

std::string header(const answer& a, const std::string& name) {
  auto it = a.headers.find(name);
  return it == a.headers.end() ? std::string{} : it->second;
}

// Partition key values per range id, so that each bulk batch addresses one range as SDKs do.
std::map<std::string, std::vector<std::string>> keys_by_range(const json& ranges) {
  proto::partition_key_definition def;
  def.paths = {"/pk"};
  def.version = 2;
  std::map<std::string, std::vector<std::string>> out;
  for (int i = 0; i < 400; ++i) {
    auto pk = "p" + std::to_string(i);
    auto epk = proto::effective_partition_key({proto::pk_value{pk}}, def);
    REQUIRE(epk);
    for (const auto& r : ranges)
      if (proto::epk_range{r["minInclusive"], r["maxExclusive"]}.contains(*epk))
        out[r["id"].get<std::string>()].push_back(pk);
  }
  return out;
}

} // namespace

TEST_CASE("bulkd emulator: every acknowledged bulk write survives kill -9",
          "[e2e][emulator][durability]") {
  auto work = fs::temp_directory_path() / ("bulkd-e2e-kill9-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  auto data_dir = work / "data";
  const std::string docs = "/dbs/db/colls/c/docs";

  std::set<std::string> acknowledged;
  std::atomic<int> in_doubt{0}; // requests without an answer (the kill)
  {
    emulator_process emu{data_dir, work / "first"};
    httplib::Client admin{"127.0.0.1", emu.port()};
    REQUIRE(call(admin, "POST", "/dbs", json{{"id", "db"}}.dump()).status == 201);
    REQUIRE(call(admin, "POST", "/dbs/db/colls",
                 json{{"id", "c"}, {"partitionKey", {{"paths", {"/pk"}}, {"version", 2}}}}.dump())
                .status == 201);
    auto ranges = call(admin, "GET", "/dbs/db/colls/c/pkranges");
    REQUIRE(ranges.status == 200);
    REQUIRE(ranges.body["PartitionKeyRanges"].size() == 4);
    auto keys = keys_by_range(ranges.body["PartitionKeyRanges"]);
    REQUIRE(keys.size() == 4);

    std::mutex mutex;
    std::atomic<bool> stop{false};
    std::atomic<size_t> acked_count{0};
    std::vector<std::thread> loaders;
    const std::string pad(200, 'x');
    for (int t = 0; t < 6; ++t) {
      loaders.emplace_back([&, t] {
        httplib::Client client{"127.0.0.1", emu.port()};
        client.set_read_timeout(10, 0);
        auto range = std::next(keys.begin(), t % 4);
        std::vector<std::string> mine;
        for (int batch = 0; !stop; ++batch) {
          json ops = json::array();
          for (int i = 0; i < 50; ++i) {
            auto id =
                "t" + std::to_string(t) + "-" + std::to_string(batch) + "-" + std::to_string(i);
            const auto& pk =
                range->second[static_cast<size_t>(batch * 50 + i) % range->second.size()];
            ops.push_back(
                {{"operationType", "Upsert"},
                 {"partitionKey", json::array({pk}).dump()},
                 {"resourceBody", {{"id", id}, {"pk", pk}, {"batch", batch}, {"pad", pad}}}});
          }
          auto r = call(client, "POST", docs, ops.dump(),
                        {{"x-ms-cosmos-is-batch-request", "True"},
                         {"x-ms-cosmos-batch-atomic", "False"},
                         {"x-ms-cosmos-batch-continue-on-error", "True"},
                         {"x-ms-documentdb-partitionkeyrangeid", range->first}});
          if (r.status < 0) {
            ++in_doubt;
            break; // the emulator is gone
          }
          if (r.status != 200 && r.status != 207)
            continue;
          for (size_t i = 0; i < ops.size() && i < r.body.size(); ++i) {
            int status = r.body[i].value("statusCode", 0);
            if (status == 200 || status == 201)
              mine.push_back(ops[i]["resourceBody"]["id"]);
          }
          acked_count += ops.size();
        }
        std::lock_guard guard{mutex};
        acknowledged.insert(mine.begin(), mine.end());
      });
    }
    // Kill once a few thousand writes were acknowledged (or after 8 s on a slow machine), while
    // every loader has a batch in flight or about to be sent.
    auto deadline = std::chrono::steady_clock::now() + 8s;
    while (acked_count < 15000 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    int status = emu.stop(SIGKILL);
    CHECK(WIFSIGNALED(status));
    stop = true;
    for (auto& t : loaders)
      t.join();
  }
  REQUIRE(acknowledged.size() > 500);

  emulator_process again{data_dir, work / "second"};
  httplib::Client client{"127.0.0.1", again.port()};
  client.set_read_timeout(30, 0);
  auto ranges = call(client, "GET", "/dbs/db/colls/c/pkranges");
  REQUIRE(ranges.status == 200);
  CHECK(ranges.body["PartitionKeyRanges"].size() == 4);
  std::set<std::string> present;
  std::string continuation;
  for (;;) {
    httplib::Headers h{{"x-ms-max-item-count", "1000"}};
    if (!continuation.empty())
      h.emplace("x-ms-continuation", continuation);
    auto page = call(client, "GET", docs, "", h);
    REQUIRE(page.status == 200);
    for (const auto& d : page.body["Documents"]) {
      CHECK(d["pad"].get<std::string>().size() == 200);
      present.insert(d["id"].get<std::string>());
    }
    continuation = header(page, "x-ms-continuation");
    if (continuation.empty())
      break;
  }
  std::vector<std::string> missing;
  for (const auto& id : acknowledged)
    if (present.count(id) == 0)
      missing.push_back(id);
  INFO("acknowledged " << acknowledged.size() << ", present " << present.size()
                       << ", requests cut by the kill " << in_doubt.load());
  CHECK(missing.empty());
  CHECK(present.size() >= acknowledged.size());
  // Counted by the server as well.
  auto count = call(client, "POST", docs, R"({"query":"SELECT VALUE COUNT(1) FROM c"})",
                    {{"x-ms-documentdb-isquery", "True"},
                     {"x-ms-documentdb-query-enablecrosspartition", "True"}});
  REQUIRE(count.status == 200);
  CHECK(count.body["Documents"][0].get<size_t>() == present.size());
  // The restarted emulator takes writes and stops cleanly.
  CHECK(call(client, "POST", docs, json{{"id", "after"}, {"pk", "p1"}}.dump(),
             {{"x-ms-documentdb-partitionkey", "[\"p1\"]"}})
            .status == 201);
  int status = again.stop(SIGTERM);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  fs::remove_all(work);
}
