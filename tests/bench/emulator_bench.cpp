// bench_emulator: bulk-batch ingest rate and point-read latency of `bulkd emulator`.
//
//   bench_emulator data-dir|in-memory [--bulkd PATH] [--docs N] [--reads N] [--connections C]
//                                     [--doc-bytes B] [--batch K] [--ranges R] [--minimal]
//                                     [--client-parse]
//
// Starts `bulkd emulator --port 0 --ranges R` as a child process, with --data-dir in a fresh
// temporary directory (durable SQLite, as the emulator runs for development) or --in-memory, and
// learns its endpoint from the banner (like tests/conformance/cosmos/run_cosmos.sh). Creates a
// database and a container (/pk, hash v2), then:
//   - ingest: N upserts of ~B bytes, grouped per physical range into non-atomic bulk batches of K
//     operations (x-ms-documentdb-partitionkeyrangeid, continue-on-error), sent over C keep-alive
//     connections from C threads; docs_per_s counts the operations acknowledged 200/201;
//   - reads: point reads of random ingested documents over the same C connections; p50/p99.
// Requests are signed by clients/cosmos (request_builder) and sent with httplib. With --minimal,
// each operation asks for no resource body in its result (minimalReturnPreference).
// The bulk answers are checked with the emulator's JSON text scanner (the whole answer must be
// valid JSON, one result per operation, each statusCode counted); --client-parse parses them with
// clients/cosmos' parse_batch_response instead, which builds every resourceBody as a DOM and costs
// the load generator about twice the emulator's CPU per document (they share the machine's cores).
// Prints one line of key=value pairs (scripts/bench turns it into a table); exit 1 on failure.

#include "clients/cosmos/authorization.hpp"
#include "clients/cosmos/batch_operation.hpp"
#include "clients/cosmos/batch_response.hpp"
#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/partition_key_range.hpp"
#include "clients/cosmos/request_builder.hpp"
#include "clients/cosmos/routing_map.hpp"
#include "clients/http_response.hpp"
#include "emulator/cosmos/json_text.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
namespace cosmos = bulkd::cosmos;

constexpr std::string_view well_known_key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

struct bench_options {
  std::string mode; // data-dir | in-memory
  std::string bulkd = BULKD_BINARY;
  size_t docs = 200'000;
  size_t reads = 20'000;
  size_t connections = 16;
  size_t doc_bytes = 1024;
  size_t batch = 100;
  unsigned ranges = 4;
  bool minimal = false;
  bool client_parse = false;
  size_t keys = 20'000; // distinct partition key values
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_emulator: %s\n", message.c_str());
  std::exit(1);
}

std::optional<bench_options> parse_args(int argc, char** argv) {
  if (argc < 2)
    return std::nullopt;
  bench_options o;
  o.mode = argv[1];
  if (o.mode != "data-dir" && o.mode != "in-memory")
    return std::nullopt;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        die(a + " needs a value");
      return argv[++i];
    };
    auto number = [&]() -> size_t {
      auto v = value();
      try {
        return std::stoul(v);
      } catch (...) {
        die(a + ": not a number: " + v);
      }
    };
    if (a == "--bulkd")
      o.bulkd = value();
    else if (a == "--docs")
      o.docs = number();
    else if (a == "--reads")
      o.reads = number();
    else if (a == "--connections")
      o.connections = std::max<size_t>(1, number());
    else if (a == "--doc-bytes")
      o.doc_bytes = number();
    else if (a == "--batch")
      o.batch = std::clamp<size_t>(number(), 1, 100);
    else if (a == "--ranges")
      o.ranges = static_cast<unsigned>(number());
    else if (a == "--keys")
      o.keys = std::max<size_t>(1, number());
    else if (a == "--minimal")
      o.minimal = true;
    else if (a == "--client-parse")
      o.client_parse = true;
    else
      return std::nullopt;
  }
  return o;
}

struct process_usage {
  double cpu_seconds = 0; // user + system
  uint64_t minor_faults = 0;
};

// CPU time and minor page faults of a process (all its threads), from /proc/PID/stat.
process_usage usage_of(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  process_usage out;
  auto close = stat.rfind(')');
  if (close == std::string::npos)
    return out;
  std::istringstream fields{stat.substr(close + 2)};
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields after the command: state(3) ... minflt(10) ... utime(14) stime(15).
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 10)
      out.minor_faults = std::stoull(field);
    if (n == 14)
      utime = std::stoull(field);
    if (n == 15)
      stime = std::stoull(field);
  }
  out.cpu_seconds =
      static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return out;
}

// The emulator child process: started on a free port, stopped (SIGTERM, then SIGKILL) on exit.
class emulator_process {
public:
  emulator_process(const bench_options& o) {
    char templ[] = "/tmp/bench-emulator-XXXXXX";
    if (::mkdtemp(templ) == nullptr)
      die("cannot create a temporary directory");
    dir_ = templ;
    auto out = dir_ / "out";
    std::vector<std::string> args{o.bulkd, "emulator", "--port",
                                  "0",     "--ranges", std::to_string(o.ranges)};
    if (o.mode == "in-memory") {
      args.push_back("--in-memory");
    } else {
      args.push_back("--data-dir");
      args.push_back((dir_ / "data").string());
    }
    pid_ = ::fork();
    if (pid_ < 0)
      die("fork failed");
    if (pid_ == 0) {
      std::FILE* f = std::freopen(out.c_str(), "w", stdout);
      std::FILE* e = std::freopen((dir_ / "err").c_str(), "w", stderr);
      if (f == nullptr || e == nullptr)
        std::_Exit(126);
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
    for (int i = 0; i < 300 && endpoint_.empty(); ++i) {
      std::ifstream in{out};
      std::string line;
      while (std::getline(in, line))
        if (line.rfind("  endpoint:", 0) == 0)
          endpoint_ = line.substr(line.find("http"));
      if (endpoint_.empty()) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          die("the emulator exited at start (" + o.bulkd + ")");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
      }
    }
    if (endpoint_.empty())
      die("no endpoint from the emulator within 30 s");
  }

  ~emulator_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
      }
      if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  emulator_process(const emulator_process&) = delete;
  emulator_process& operator=(const emulator_process&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  pid_t pid() const { return pid_; }

  // Bytes of the data directory (database, WAL), 0 in memory.
  uintmax_t data_bytes() const {
    uintmax_t total = 0;
    std::error_code ec;
    for (auto& e : std::filesystem::recursive_directory_iterator(dir_ / "data", ec))
      if (e.is_regular_file(ec))
        total += e.file_size(ec);
    return total;
  }

private:
  std::filesystem::path dir_;
  std::string endpoint_;
  pid_t pid_ = -1;
};

std::unique_ptr<httplib::Client> connect(std::string endpoint) {
  if (!endpoint.empty() && endpoint.back() == '/')
    endpoint.pop_back(); // httplib takes scheme://host:port only
  auto cli = std::make_unique<httplib::Client>(endpoint);
  cli->set_keep_alive(true);
  cli->set_read_timeout(60, 0);
  cli->set_write_timeout(60, 0);
  return cli;
}

bulkd::http_response send(httplib::Client& cli, const bulkd::http_request& r) {
  httplib::Request req;
  req.method = r.method;
  req.path = r.target;
  for (const auto& [name, value] : r.headers)
    req.headers.emplace(name, value);
  req.body = r.body;
  auto res = cli.send(req);
  bulkd::http_response out;
  if (!res) {
    out.status = -1;
    out.body = httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  for (const auto& [name, value] : res->headers)
    out.headers.add(name, value);
  out.body = std::move(res->body);
  return out;
}

void expect(const bulkd::http_response& res, std::initializer_list<int> ok, const char* what) {
  if (std::find(ok.begin(), ok.end(), res.status) == ok.end())
    die(std::string{what} + ": HTTP " + std::to_string(res.status) + " " + res.body.substr(0, 300));
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

struct batch_plan {
  std::string range_id;
  std::vector<uint32_t> docs;
};

} // namespace

int main(int argc, char** argv) {
  auto parsed = parse_args(argc, argv);
  if (!parsed) {
    std::fprintf(stderr,
                 "usage: bench_emulator data-dir|in-memory [--bulkd PATH] [--docs N] [--reads N]\n"
                 "       [--connections C] [--doc-bytes B] [--batch K] [--ranges R] [--keys K]"
                 " [--minimal] [--client-parse]\n");
    return 2;
  }
  const auto& o = *parsed;
  emulator_process emu{o};

  auto cred = cosmos::credential::from_master_key(well_known_key);
  if (!cred)
    die(cosmos::error_message(cred.error()));
  auto builder = cosmos::request_builder::make(emu.endpoint(), *cred);
  if (!builder)
    die(cosmos::error_message(builder.error()));
  auto definition = cosmos::make_partition_key_definition({"/pk"}, cosmos::partition_kind::hash, 2);
  if (!definition)
    die(cosmos::error_message(definition.error()));
  const cosmos::container_ref coll{"bench", "docs"};

  auto setup = connect(emu.endpoint());
  expect(send(*setup, builder->create_database("bench")), {201}, "create database");
  expect(send(*setup, builder->create_container(coll, *definition)), {201}, "create container");
  auto pkranges = send(*setup, builder->read_pkranges(coll));
  expect(pkranges, {200}, "read pkranges");
  auto parsed_ranges = cosmos::parse_pkranges(pkranges);
  if (!parsed_ranges)
    die(cosmos::error_message(parsed_ranges.error()));
  auto routing = cosmos::routing_map::make(parsed_ranges->ranges);
  if (!routing)
    die(cosmos::error_message(routing.error()));

  // Documents: id d<i>, partition key k<i mod keys>, padded to about doc_bytes.
  auto key_of = [&](size_t i) {
    return cosmos::partition_key{std::string{"k"} + std::to_string(i % o.keys)};
  };
  const std::string padding(o.doc_bytes > 80 ? o.doc_bytes - 80 : 0, 'x');
  auto doc_json = [&](size_t i) {
    return std::string{"{\"id\":\"d"} + std::to_string(i) + "\",\"pk\":\"k" +
           std::to_string(i % o.keys) + "\",\"n\":" + std::to_string(i) + ",\"payload\":\"" +
           padding + "\"}";
  };

  // Batches of up to `batch` operations, each within one physical range.
  std::vector<std::string> key_range(o.keys);
  for (size_t k = 0; k < o.keys; ++k) {
    auto epk = cosmos::effective_partition_key(key_of(k), *definition);
    if (!epk)
      die(cosmos::error_message(epk.error()));
    auto* range = routing->route(*epk);
    if (range == nullptr)
      die("no range for EPK " + *epk);
    key_range[k] = range->id;
  }
  std::vector<batch_plan> plans;
  {
    std::vector<batch_plan> open(routing->size());
    for (size_t r = 0; r < routing->size(); ++r)
      open[r].range_id = routing->ranges()[r].id;
    auto index_of = [&](const std::string& id) {
      for (size_t r = 0; r < routing->size(); ++r)
        if (routing->ranges()[r].id == id)
          return r;
      return size_t{0};
    };
    std::vector<size_t> key_index(o.keys);
    for (size_t k = 0; k < o.keys; ++k)
      key_index[k] = index_of(key_range[k]);
    for (size_t i = 0; i < o.docs; ++i) {
      auto& p = open[key_index[i % o.keys]];
      p.docs.push_back(static_cast<uint32_t>(i));
      if (p.docs.size() == o.batch) {
        plans.push_back(p);
        p.docs.clear();
      }
    }
    for (auto& p : open)
      if (!p.docs.empty())
        plans.push_back(p);
  }

  // Ingest.
  std::atomic<size_t> next_plan{0};
  std::atomic<uint64_t> acked{0}, failed{0}, throttled{0}, bytes_sent{0}, bytes_received{0};
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (size_t c = 0; c < o.connections; ++c)
    clients.push_back(connect(emu.endpoint()));
  auto ingest_worker = [&](httplib::Client& cli) {
    for (;;) {
      size_t n = next_plan.fetch_add(1);
      if (n >= plans.size())
        return;
      const auto& plan = plans[n];
      std::string body = "[";
      for (auto i : plan.docs) {
        cosmos::batch_operation op;
        op.type = cosmos::operation_type::upsert;
        op.key = key_of(i);
        op.resource_body = doc_json(i);
        auto json = cosmos::serialize(op);
        if (!json)
          die(cosmos::error_message(json.error()));
        if (o.minimal)
          json->insert(json->size() - 1, ",\"minimalReturnPreference\":true");
        if (body.size() > 1)
          body += ',';
        body += *json;
      }
      body += ']';
      bytes_sent += body.size();
      auto res = send(cli, builder->bulk(coll, plan.range_id, std::move(body)));
      bytes_received += res.body.size();
      if (res.status != 200 && res.status != 207) {
        if (res.status == 429)
          ++throttled;
        failed += plan.docs.size();
        continue;
      }
      if (o.client_parse) {
        auto parsed_res = cosmos::parse_batch_response(res, plan.docs.size());
        if (!parsed_res)
          die(cosmos::error_message(parsed_res.error()));
        for (const auto& r : parsed_res->results) {
          if (r.status == 200 || r.status == 201)
            ++acked;
          else
            ++failed;
        }
        continue;
      }
      std::vector<std::string_view> results;
      if (auto message = bulkd::emulator::cosmos::json_array_elements(res.body, results);
          !message.empty())
        die("bulk answer: " + message);
      if (results.size() != plan.docs.size())
        die("bulk answer: " + std::to_string(results.size()) + " results for " +
            std::to_string(plan.docs.size()) + " operations");
      std::vector<bulkd::emulator::cosmos::json_member> members;
      for (auto result : results) {
        if (auto message = bulkd::emulator::cosmos::json_object_members(result, members, true);
            !message.empty())
          die("bulk answer: a result is not an object: " + message);
        std::string_view status;
        for (const auto& m : members)
          if (m.key == "statusCode")
            status = m.value;
        if (status == "200" || status == "201")
          ++acked;
        else
          ++failed;
      }
    }
  };
  auto emu0 = usage_of(emu.pid());
  auto self0 = usage_of(::getpid());
  auto t0 = clock_type::now();
  {
    std::vector<std::jthread> threads;
    for (auto& cli : clients)
      threads.emplace_back(ingest_worker, std::ref(*cli));
  }
  double ingest_s = std::chrono::duration<double>(clock_type::now() - t0).count();
  auto emu1 = usage_of(emu.pid());
  double emu_cpu = emu1.cpu_seconds - emu0.cpu_seconds;
  double self_cpu = usage_of(::getpid()).cpu_seconds - self0.cpu_seconds;
  // Page faults say how often the emulator's allocator gives memory back and takes it again.
  double faults_per_doc = static_cast<double>(emu1.minor_faults - emu0.minor_faults) /
                          static_cast<double>(std::max<size_t>(1, o.docs));
  if (acked != o.docs)
    die("ingest: " + std::to_string(acked) + " of " + std::to_string(o.docs) + " acknowledged (" +
        std::to_string(failed) + " failed)");

  // Point reads of random documents (a fixed LCG: the same ids every run).
  std::atomic<size_t> next_read{0};
  std::vector<std::vector<double>> latencies(o.connections);
  auto read_worker = [&](httplib::Client& cli, std::vector<double>& lat) {
    for (;;) {
      size_t n = next_read.fetch_add(1);
      if (n >= o.reads)
        return;
      uint64_t i = (n * 6364136223846793005ull + 1442695040888963407ull) % o.docs;
      auto req = builder->read_document(coll, "d" + std::to_string(i), key_of(i));
      auto start = clock_type::now();
      auto res = send(cli, req);
      lat.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
      expect(res, {200}, "point read");
    }
  };
  auto r0 = clock_type::now();
  {
    std::vector<std::jthread> threads;
    for (size_t c = 0; c < o.connections; ++c)
      threads.emplace_back(read_worker, std::ref(*clients[c]), std::ref(latencies[c]));
  }
  double reads_s = std::chrono::duration<double>(clock_type::now() - r0).count();
  std::vector<double> all;
  for (auto& l : latencies)
    all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());

  std::printf(
      "mode=%s minimal=%s client_parse=%s docs=%zu doc_bytes=%zu batch=%zu connections=%zu "
      "ranges=%u requests=%zu "
      "seconds=%s docs_per_s=%s emulator_cpu_s=%s emulator_faults_per_doc=%s bench_cpu_s=%s "
      "mib_sent=%s mib_received=%s data_mib=%s reads=%zu read_p50_ms=%s read_p99_ms=%s "
      "reads_per_s=%s\n",
      o.mode.c_str(), o.minimal ? "yes" : "no", o.client_parse ? "yes" : "no", o.docs, o.doc_bytes,
      o.batch, o.connections, o.ranges, plans.size(), fixed(ingest_s, 2).c_str(),
      fixed(static_cast<double>(acked) / ingest_s, 0).c_str(), fixed(emu_cpu, 1).c_str(),
      fixed(faults_per_doc, 2).c_str(), fixed(self_cpu, 1).c_str(),
      fixed(static_cast<double>(bytes_sent) / 1048576.0, 1).c_str(),
      fixed(static_cast<double>(bytes_received) / 1048576.0, 1).c_str(),
      fixed(static_cast<double>(emu.data_bytes()) / 1048576.0, 1).c_str(), all.size(),
      fixed(percentile(all, 0.5), 3).c_str(), fixed(percentile(all, 0.99), 3).c_str(),
      fixed(static_cast<double>(all.size()) / reads_s, 0).c_str());
  return 0;
}
