#pragma once

// What the end-to-end change-feed tests share, on top of bulk_test_support.hpp: an emulator with
// any number of ranges, a small Cosmos client for the emulator (create, upsert, query, split),
// writers of sequence-numbered documents (bulk-upsert runs and a writer thread), the feed job's
// spec, `bulkd run` processes, and the tally of the sequence numbers a sink received.
//
// Documents: {"id":"s-<seq>","pk":"pk-<seq % 97>","seq":<seq>} (plus "poison":true on request).

#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "tests/daemon/bulk_test_support.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace bulkd::feed_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bulk_test::read_file;
using bulk_test::temp_dir;
using bulk_test::write_file;
using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Polls `done` every `step` until it holds or `deadline` passed; returns whether it held.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline,
                       std::chrono::milliseconds step = 100ms) {
  auto until = clock_type::now() + deadline;
  for (;;) {
    if (done())
      return true;
    if (clock_type::now() >= until)
      return false;
    std::this_thread::sleep_for(step);
  }
}

/// `bulkd emulator --in-memory --ranges N --port 0` (bulk_test::emulator fixes 4 ranges).
struct ranged_emulator {
  test::child_process proc;
  int port = 0;

  ranged_emulator(const fs::path& dir, int ranges)
      : proc({BULKD_BINARY, "emulator", "--in-memory", "--ranges", std::to_string(ranges), "--port",
              "0"},
             (dir / "emulator.log").string()) {
    std::regex endpoint{R"(endpoint:\s+https?://127\.0\.0\.1:(\d+)/)"};
    wait_until(
        [&] {
          std::smatch m;
          auto out = proc.output();
          if (std::regex_search(out, m, endpoint))
            port = std::stoi(m[1]);
          return port != 0 || proc.wait_for(0ms).has_value();
        },
        20s, 10ms);
  }

  ~ranged_emulator() {
    proc.signal(SIGTERM);
    proc.wait_for(10s);
  }
};

/// The few Cosmos operations the tests need, signed with the emulator key. One per thread.
class cosmos_api {
public:
  explicit cosmos_api(int port) : port_(port), cli_("127.0.0.1", port) {
    auto cred = cosmos::credential::from_master_key(bulk_test::emulator_key);
    auto b = cosmos::request_builder::make("http://127.0.0.1:" + std::to_string(port) + "/",
                                           std::move(*cred));
    builder_.emplace(std::move(*b));
    cli_.set_connection_timeout(10, 0);
    cli_.set_read_timeout(60, 0);
    cli_.set_write_timeout(60, 0);
  }

  /// Sends once; nullopt on a transport failure.
  std::optional<httplib::Response> send_once(const http_request& req) {
    httplib::Request r;
    r.method = req.method;
    r.path = req.target;
    for (auto& [k, v] : req.headers)
      r.headers.emplace(k, v);
    r.body = req.body;
    auto res = cli_.send(r);
    if (!res)
      return std::nullopt;
    return *res;
  }

  /// Sends, again after transport failures, 429 and 5xx (up to ~30 s).
  std::optional<httplib::Response> send(const http_request& req) {
    std::optional<httplib::Response> res;
    for (int attempt = 0; attempt < 600; ++attempt) {
      res = send_once(req);
      if (res && res->status != 429 && res->status < 500)
        return res;
      std::this_thread::sleep_for(50ms);
    }
    return res;
  }

  bool create_container(const std::string& db, const std::string& coll,
                        const std::string& pk_path = "/pk") {
    auto d = send(builder_->create_database(db));
    if (!d || (d->status != 201 && d->status != 409))
      return false;
    auto def = cosmos::make_partition_key_definition({pk_path}, cosmos::partition_kind::hash, 2);
    if (!def)
      return false;
    auto c = send(builder_->create_container({db, coll}, *def));
    return c && (c->status == 201 || c->status == 409);
  }

  bool upsert(const std::string& db, const std::string& coll, const std::string& pk,
              std::string body) {
    auto res =
        send(builder_->upsert_document({db, coll}, cosmos::partition_key{pk}, std::move(body)));
    return res && (res->status == 200 || res->status == 201);
  }

  /// Every document a query returns, over all pages; nullopt on failure.
  std::optional<std::vector<nlohmann::json>> query(const std::string& db, const std::string& coll,
                                                   const std::string& sql) {
    std::vector<nlohmann::json> out;
    std::string continuation;
    for (int page = 0; page < 1000; ++page) {
      cosmos::query_options opts;
      opts.continuation = continuation;
      auto req = builder_->query_documents({db, coll}, sql, {}, opts);
      if (!req)
        return std::nullopt;
      auto res = send(*req);
      if (!res || res->status != 200)
        return std::nullopt;
      auto json = nlohmann::json::parse(res->body, nullptr, false);
      if (!json.is_object() || !json.contains("Documents"))
        return std::nullopt;
      for (auto& d : json["Documents"])
        out.push_back(d);
      continuation = res->get_header_value("x-ms-continuation");
      if (continuation.empty())
        return out;
    }
    return std::nullopt;
  }

  /// The ids of the container's current partition key ranges.
  std::vector<std::string> range_ids(const std::string& db, const std::string& coll) {
    std::vector<std::string> ids;
    auto res = send(builder_->read_pkranges({db, coll}));
    if (!res || res->status != 200)
      return ids;
    auto json = nlohmann::json::parse(res->body, nullptr, false);
    if (json.is_object() && json.contains("PartitionKeyRanges"))
      for (auto& r : json["PartitionKeyRanges"])
        ids.push_back(r["id"].get<std::string>());
    return ids;
  }

  /// POST /_emulator/split; the answer (status and JSON body).
  std::pair<int, nlohmann::json> split(const std::string& db, const std::string& coll,
                                       const std::string& range) {
    nlohmann::json body{{"db", db}, {"coll", coll}, {"range", range}};
    auto res = cli_.Post("/_emulator/split", body.dump(), "application/json");
    if (!res)
      return {-1, nullptr};
    return {res->status, nlohmann::json::parse(res->body, nullptr, false)};
  }

private:
  int port_;
  httplib::Client cli_;
  std::optional<cosmos::request_builder> builder_;
};

inline std::string doc_pk(int64_t seq) {
  return "pk-" + std::to_string(seq % 97);
}

inline std::string doc_json(int64_t seq, bool poison = false) {
  std::string s = R"({"id":"s-)" + std::to_string(seq) + R"(","pk":")" + doc_pk(seq) +
                  R"(","seq":)" + std::to_string(seq);
  if (poison)
    s += R"(,"poison":true)";
  return s + "}";
}

/// Writes documents [from, to) with a `bulkd run` bulk-upsert job into db/coll; returns its exit
/// code (0 = all written) and output.
inline std::pair<int, std::string> bulk_write(const fs::path& dir, const fs::path& config,
                                              int64_t from, int64_t to,
                                              const std::string& db = "db",
                                              const std::string& coll = "c") {
  auto tag = std::to_string(from) + "-" + std::to_string(to);
  auto input = dir / ("docs-" + tag + ".jsonl");
  {
    std::ofstream out{input, std::ios::trunc};
    for (auto seq = from; seq < to; ++seq)
      out << doc_json(seq) << "\n";
  }
  auto job = dir / ("writer-" + tag + ".yaml");
  write_file(job, "name: writer-" + tag + "\nkind: bulk-upsert\nsource: { path: " + input.string() +
                      ", format: jsonl }\n" + "target: { account: emu, database: " + db +
                      ", container: " + coll + " }\n");
  return test::run_to_completion({BULKD_BINARY, "run", job.string(), "--config", config.string()},
                                 (dir / ("writer-" + tag + ".log")).string(), 180s);
}

/// A thread that upserts documents seq = from, from+1, ... one by one until stopped; `pace`
/// between documents. `poison` marks one sequence number.
class doc_writer {
public:
  doc_writer(int port, std::string db, std::string coll, int64_t from,
             std::chrono::microseconds pace = 2ms, std::optional<int64_t> poison = std::nullopt)
      : next_(from) {
    thread_ = std::thread{[this, port, db, coll, pace, poison] {
      cosmos_api api{port};
      while (!stop_) {
        auto seq = next_.load();
        if (!api.upsert(db, coll, doc_pk(seq), doc_json(seq, poison && *poison == seq))) {
          failed_ = true;
          return;
        }
        ++next_;
        std::this_thread::sleep_for(pace);
      }
    }};
  }

  doc_writer(const doc_writer&) = delete;
  doc_writer& operator=(const doc_writer&) = delete;

  ~doc_writer() { stop(); }

  /// Stops and returns the first sequence number not written.
  int64_t stop() {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
    return next_;
  }

  int64_t written_up_to() const { return next_; }
  bool failed() const { return failed_; }

private:
  std::atomic<int64_t> next_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::thread thread_;
};

/// How often each sequence number arrived, and what else was wrong with the lines.
struct seq_tally {
  std::unordered_map<int64_t, int> counts;
  size_t lines = 0;
  std::vector<std::string> bad; // lines that are not a feed document of ours (first few)

  void add_document(const nlohmann::json& doc) {
    ++lines;
    if (!doc.is_object() || !doc.contains("seq") || !doc["seq"].is_number_integer() ||
        !doc.contains("id") || !doc.contains("_lsn") || !doc.contains("_etag")) {
      if (bad.size() < 5)
        bad.push_back(doc.dump());
      return;
    }
    auto seq = doc["seq"].get<int64_t>();
    if (doc["id"] != "s-" + std::to_string(seq) && bad.size() < 5)
      bad.push_back(doc.dump());
    ++counts[seq];
  }

  void add_line(const std::string& line) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded()) {
      ++lines;
      if (bad.size() < 5)
        bad.push_back(line.substr(0, 200));
      return;
    }
    add_document(doc);
  }

  void add_file(const fs::path& p) {
    std::ifstream in{p};
    for (std::string line; std::getline(in, line);)
      add_line(line);
  }

  /// Sequence numbers of [from, to) that never arrived.
  std::vector<int64_t> missing(int64_t from, int64_t to) const {
    std::vector<int64_t> out;
    for (auto s = from; s < to; ++s)
      if (counts.find(s) == counts.end())
        out.push_back(s);
    return out;
  }

  bool has_all(int64_t from, int64_t to) const {
    for (auto s = from; s < to; ++s)
      if (counts.find(s) == counts.end())
        return false;
    return true;
  }

  /// Arrivals beyond the first, summed over all sequence numbers.
  size_t duplicates() const {
    size_t n = 0;
    for (auto& [seq, c] : counts)
      n += static_cast<size_t>(c - 1);
    return n;
  }
};

/// The first few elements of a list, for messages.
inline std::string head(const std::vector<int64_t>& xs, size_t n = 20) {
  std::string s = std::to_string(xs.size()) + " [";
  for (size_t i = 0; i < xs.size() && i < n; ++i)
    s += (i ? "," : "") + std::to_string(xs[i]);
  return s + (xs.size() > n ? ",...]" : "]");
}

/// Follows a jsonl sink file while it grows: complete lines only.
class sink_tail {
public:
  explicit sink_tail(fs::path p) : path_(std::move(p)) {}

  /// Reads what was appended since the last call.
  const seq_tally& poll() {
    std::ifstream in{path_, std::ios::binary};
    if (!in)
      return tally_;
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    size_t start = 0;
    for (auto nl = chunk.find('\n'); nl != std::string::npos; nl = chunk.find('\n', start)) {
      tally_.add_line(chunk.substr(start, nl - start));
      start = nl + 1;
    }
    offset_ += start;
    return tally_;
  }

  const seq_tally& tally() const { return tally_; }

private:
  fs::path path_;
  uint64_t offset_ = 0;
  seq_tally tally_;
};

/// The feed job's spec with the tests' defaults; `sink` and `extra` are YAML lines.
struct feed_spec {
  std::string name = "f";
  std::string db = "db";
  std::string container = "c";
  std::string leases = "{ store: file }";
  std::string poll_interval = "100ms";
  int max_batch = 100;
  std::string sink;
  std::string extra; // on_failure, dead_letter, retry, ...

  fs::path write(const fs::path& file) const {
    write_file(file,
               "name: " + name + "\nkind: change-feed\nsource: { account: emu, database: " + db +
                   ", container: " + container + ", start_from: beginning }\n" +
                   "leases: " + leases + "\npoll_interval: " + poll_interval +
                   "\nmax_batch: " + std::to_string(max_batch) + "\nsink: " + sink + "\n" + extra);
    return file;
  }
};

inline std::string jsonl_sink_yaml(const fs::path& out) {
  return "{ type: jsonl, path: " + out.string() + ", fsync: true }";
}

/// `bulkd run JOB --config CFG --report REPORT [--until-caught-up]` as a child process.
struct feed_run {
  fs::path report;
  test::child_process proc;

  feed_run(const fs::path& job, const fs::path& config, const fs::path& dir, const std::string& tag,
           bool until_caught_up = false)
      : report(dir / ("report-" + tag + ".json")),
        proc(args(job, config, report, until_caught_up), (dir / ("run-" + tag + ".log")).string()) {
  }

  static std::vector<std::string> args(const fs::path& job, const fs::path& config,
                                       const fs::path& report, bool until_caught_up) {
    std::vector<std::string> a{BULKD_BINARY,    "run",      job.string(),   "--config",
                               config.string(), "--report", report.string()};
    if (until_caught_up)
      a.push_back("--until-caught-up");
    return a;
  }

  /// SIGTERM, then the exit code (-1 when it did not exit in time).
  int stop(std::chrono::milliseconds deadline = 60s) {
    proc.signal(SIGTERM);
    return proc.wait_for(deadline).value_or(-1);
  }

  bool running() { return !proc.wait_for(0ms).has_value(); }

  nlohmann::json report_json() const {
    if (!fs::exists(report))
      return nullptr;
    return nlohmann::json::parse(read_file(report), nullptr, false);
  }
};

/// The leases of a file lease store: <state_dir>/leases/<job>.json, parsed; null when missing.
inline nlohmann::json lease_file_json(const fs::path& state_dir, const std::string& job) {
  auto p = state_dir / "leases" / (job + ".json");
  if (!fs::exists(p))
    return nullptr;
  return nlohmann::json::parse(read_file(p), nullptr, false);
}

/// Waits until the checkpoints in the lease file (LeaseToken -> ContinuationToken) have not
/// changed for `quiet`: the sink's output can be complete a moment before the job has handled
/// the last acknowledgements, which a stop would leave uncounted (and not checkpointed).
inline bool wait_checkpoints_settled(const fs::path& state_dir, const std::string& job,
                                     std::chrono::milliseconds quiet = 1500ms,
                                     std::chrono::milliseconds deadline = 60s) {
  auto positions = [&] {
    std::map<std::string, std::string> out;
    auto file = lease_file_json(state_dir, job);
    if (file.is_object() && file["leases"].is_array())
      for (auto& l : file["leases"])
        out[l.value("LeaseToken", "")] = l["ContinuationToken"].dump();
    return out;
  };
  auto last = positions();
  auto since = clock_type::now();
  return wait_until(
      [&] {
        auto now = positions();
        if (now != last) {
          last = std::move(now);
          since = clock_type::now();
        }
        return clock_type::now() - since >= quiet;
      },
      deadline);
}

/// LeaseToken -> Owner of every lease document in a Cosmos lease container; nullopt when the
/// query failed (e.g. the container does not exist yet).
inline std::optional<std::map<std::string, std::string>>
cosmos_lease_owners(cosmos_api& api, const std::string& db, const std::string& coll) {
  auto docs = api.query(db, coll, "SELECT * FROM c");
  if (!docs)
    return std::nullopt;
  std::map<std::string, std::string> owners;
  for (auto& d : *docs) {
    if (!d.contains("LeaseToken"))
      continue;
    auto owner = d.contains("Owner") && d["Owner"].is_string() ? d["Owner"].get<std::string>()
                                                               : std::string{};
    owners[d["LeaseToken"].get<std::string>()] = owner;
  }
  return owners;
}

/// A temporary directory, an emulator (bulk_test::emulator for 4 ranges), the daemon config that
/// points at it, and the source container db/c (partitioned by /pk).
struct feed_env {
  temp_dir dir;
  std::unique_ptr<bulk_test::emulator> emu4;
  std::unique_ptr<ranged_emulator> emu_n;
  int port = 0;
  fs::path config;

  /// `emulator_args` (e.g. --faults) apply to the 4-range emulator.
  explicit feed_env(int ranges = 4, std::vector<std::string> emulator_args = {}) {
    if (ranges == 4) {
      emu4 = std::make_unique<bulk_test::emulator>(dir.path, std::move(emulator_args));
      port = emu4->port;
    } else {
      emu_n = std::make_unique<ranged_emulator>(dir.path, ranges);
      port = emu_n->port;
    }
    if (port > 0)
      config = bulk_test::write_config(dir.path, port);
  }

  /// Creates db/c; false when the emulator did not start or refused.
  bool ready() {
    if (port <= 0)
      return false;
    cosmos_api api{port};
    return api.create_container("db", "c");
  }

  fs::path state_dir() const { return dir.path / "state"; }
};

} // namespace bulkd::feed_test
