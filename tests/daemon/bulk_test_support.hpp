#pragma once

// What the end-to-end bulk-upsert tests share: a `bulkd emulator --in-memory --ranges 4` child
// with a COUNT query, a temporary directory, input files of generated documents, the daemon config
// that points at the emulator, and the figures hook of scripts/test.

#include "clients/cosmos/authorization.hpp"
#include "clients/cosmos/request_builder.hpp"
#include "tests/support/child_process.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <stdlib.h>
#include <string>
#include <thread>
#include <vector>

namespace bulkd::bulk_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr const char* emulator_key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

/// Appends one line of measurements to $BULKD_FIGURES (when set), for scripts/test to print.
inline void report_figure(const std::string& line) {
  if (const char* path = std::getenv("BULKD_FIGURES"); path != nullptr && *path != '\0') {
    std::ofstream out{path, std::ios::app};
    out << line << "\n";
  }
}

inline bool have_binary() {
  if (fs::exists(BULKD_BINARY))
    return true;
  WARN("bulkd binary not built (" BULKD_BINARY "); build target bulkd to run this test");
  return false;
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/bulkd-bulk-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

inline void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out{p, std::ios::trunc};
  out << text;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in{p};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// N documents of about `pad` bytes, partition key /pk over 97 values.
inline void write_docs(const fs::path& p, size_t n, size_t pad = 200,
                       const std::set<size_t>& bad = {}) {
  std::ofstream out{p, std::ios::trunc};
  std::string filler(pad, 'x');
  for (size_t i = 0; i < n; ++i) {
    if (bad.count(i + 1) > 0) {
      out << "{\"id\": broken\n";
      continue;
    }
    out << R"({"id":"doc-)" << i << R"(","pk":"pk-)" << (i % 97) << R"(","n":)" << i
        << R"(,"text":")" << filler << "\"}\n";
  }
}

struct emulator {
  test::child_process proc;
  int port = 0;

  emulator(const fs::path& dir, std::vector<std::string> extra = {})
      : proc(make_args(std::move(extra)), (dir / "emulator.log").string()) {
    std::regex endpoint{R"(endpoint:\s+https?://127\.0\.0\.1:(\d+)/)"};
    std::regex cert{R"(tls cert:\s+(\S+))"};
    for (int i = 0; i < 1000 && port == 0; ++i) {
      std::smatch m;
      auto out = proc.output();
      if (std::regex_search(out, m, endpoint)) {
        port = std::stoi(m[1]);
        if (std::smatch c; std::regex_search(out, c, cert))
          cert_file = c[1];
      } else if (proc.wait_for(10ms)) {
        break;
      }
    }
  }

  std::string cert_file; // with --tls

  ~emulator() {
    proc.signal(SIGTERM);
    proc.wait_for(10s);
  }

  static std::vector<std::string> make_args(std::vector<std::string> extra) {
    std::vector<std::string> args{BULKD_BINARY, "emulator", "--in-memory", "--ranges", "4",
                                  "--port",     "0"};
    for (auto& e : extra)
      args.push_back(e);
    return args;
  }

  /// SELECT VALUE COUNT(1) over the whole container; -1 on failure.
  long count(const std::string& db = "shop", const std::string& coll = "products") const {
    auto cred = cosmos::credential::from_master_key(emulator_key);
    auto builder = cosmos::request_builder::make("http://127.0.0.1:" + std::to_string(port) + "/",
                                                 std::move(*cred));
    auto req = builder->query_documents({db, coll}, "SELECT VALUE COUNT(1) FROM c");
    if (!req)
      return -1;
    httplib::Client cli{"127.0.0.1", port};
    cli.set_read_timeout(60, 0);
    httplib::Headers headers;
    for (auto& [k, v] : req->headers)
      headers.emplace(k, v);
    long total = 0;
    std::string continuation;
    for (int page = 0; page < 100; ++page) {
      auto h = headers;
      if (!continuation.empty())
        h.emplace("x-ms-continuation", continuation);
      // The emulator may run with --faults: retry throttled, failed and reset pages.
      auto res = cli.Post(req->target.c_str(), h, req->body, "application/query+json");
      for (int attempt = 0; attempt < 100 && (!res || res->status == 429 || res->status >= 500);
           ++attempt) {
        std::this_thread::sleep_for(20ms);
        res = cli.Post(req->target.c_str(), h, req->body, "application/query+json");
      }
      if (!res || res->status != 200)
        return -1;
      auto json = nlohmann::json::parse(res->body);
      for (auto& v : json["Documents"])
        total += v.get<long>();
      continuation = res->get_header_value("x-ms-continuation");
      if (continuation.empty())
        break;
    }
    return total;
  }
};

/// Writes DIR/bulkd.yaml for an emulator on `port`, with optional `admin` lines.
inline fs::path write_config(const fs::path& dir, int port, const std::string& admin = {}) {
  auto p = dir / "bulkd.yaml";
  write_file(p, "state_dir: " + (dir / "state").string() + "\n" +
                    "shutdown_timeout: 20s\n"
                    "log: { level: warn }\n" +
                    admin + "accounts:\n  emu:\n    endpoint: \"http://127.0.0.1:" +
                    std::to_string(port) + "\"\n    key: \"" + emulator_key + "\"\n");
  return p;
}

} // namespace bulkd::bulk_test
