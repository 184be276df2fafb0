#pragma once

// A `bulkd emulator --in-memory --port 0` child process for the key-backup tests, with a small
// Key Vault client for setting up and checking keys (plain httplib, retrying injected faults).

#include "tests/support/child_process.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <stdlib.h>
#include <string>
#include <thread>
#include <vector>

namespace bulkd::test {

inline constexpr const char* dev_tenant = "00000000-0000-0000-0000-000000000000";

inline bool have_bulkd_binary() {
  if (std::filesystem::exists(BULKD_BINARY))
    return true;
  WARN("bulkd binary not built (" BULKD_BINARY "); build target bulkd to run this test");
  return false;
}

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    char tmpl[] = "/tmp/bulkd-kb-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

class kv_emulator {
public:
  explicit kv_emulator(const std::filesystem::path& dir, std::string faults = {})
      : proc_(args(faults), (dir / "emulator.log").string()) {
    using namespace std::chrono_literals;
    std::regex endpoint{R"(endpoint:\s+http://127\.0\.0\.1:(\d+)/)"};
    for (int i = 0; i < 3000 && port_ == 0; ++i) {
      std::smatch m;
      auto out = proc_.output();
      if (std::regex_search(out, m, endpoint))
        port_ = std::stoi(m[1]);
      else if (proc_.wait_for(10ms))
        break;
    }
  }

  ~kv_emulator() {
    proc_.signal(SIGTERM);
    proc_.wait_for(std::chrono::seconds{10});
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// Sends until the answer is neither a transport error nor an injected 429/503.
  httplib::Result send(const std::string& method, const std::string& target,
                       const std::string& body = {}) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      httplib::Client cli{"127.0.0.1", port_};
      cli.set_read_timeout(60, 0);
      httplib::Headers h{{"Authorization", "Bearer " + token()}};
      httplib::Result r{nullptr, httplib::Error::Unknown};
      if (method == "GET")
        r = cli.Get(target.c_str(), h);
      else if (method == "POST")
        r = cli.Post(target.c_str(), h, body, "application/json");
      else if (method == "DELETE")
        r = cli.Delete(target.c_str(), h);
      if (r && r->status != 429 && r->status != 503)
        return r;
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    FAIL("the emulator kept refusing " << method << " " << target);
    return httplib::Result{nullptr, httplib::Error::Unknown};
  }

  nlohmann::json json(const std::string& method, const std::string& target,
                      const std::string& body = {}, int expect = 200) {
    auto r = send(method, target, body);
    INFO(method << " " << target << " -> " << r->status << " " << r->body);
    REQUIRE(r->status == expect);
    return r->body.empty() ? nlohmann::json{} : nlohmann::json::parse(r->body);
  }

  /// Creates a key (a new version when it exists): kty RSA, EC or oct.
  nlohmann::json create_key(const std::string& name, const std::string& kty,
                            const std::map<std::string, std::string>& tags = {}) {
    nlohmann::json body{{"kty", kty}};
    if (kty == "RSA")
      body["key_size"] = 2048;
    else if (kty == "EC")
      body["crv"] = "P-256";
    else
      body["key_size"] = 256;
    if (!tags.empty())
      body["tags"] = tags;
    return json("POST", "/keys/" + name + "/create?api-version=7.5", body.dump());
  }

  /// Version ids of a key, sorted.
  std::vector<std::string> versions(const std::string& name) {
    std::vector<std::string> out;
    std::string target = "/keys/" + name + "/versions?api-version=7.5";
    while (!target.empty()) {
      auto page = json("GET", target);
      for (auto& item : page["value"]) {
        auto kid = item["kid"].get<std::string>();
        out.push_back(kid.substr(kid.rfind('/') + 1));
      }
      target.clear();
      if (page.contains("nextLink") && page["nextLink"].is_string()) {
        auto link = page["nextLink"].get<std::string>();
        target = link.substr(link.find('/', link.find("//") + 2));
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  /// The public JWK of the latest version (kid, kty, n, e, crv, x, y).
  nlohmann::json public_key(const std::string& name) {
    return json("GET", "/keys/" + name + "/?api-version=7.5")["key"];
  }

  void delete_and_purge(const std::string& name) {
    json("DELETE", "/keys/" + name + "?api-version=7.5");
    json("DELETE", "/deletedkeys/" + name + "?api-version=7.5", {}, 204);
  }

private:
  static std::vector<std::string> args(const std::string& faults) {
    std::vector<std::string> a{BULKD_BINARY, "emulator", "--in-memory", "--port", "0"};
    if (!faults.empty()) {
      a.push_back("--faults");
      a.push_back(faults);
    }
    return a;
  }

  std::string token() {
    if (!token_.empty())
      return token_;
    httplib::Client cli{"127.0.0.1", port_};
    auto r = cli.Post((std::string{"/"} + dev_tenant + "/oauth2/v2.0/token").c_str(),
                      "grant_type=client_credentials&client_id=bulkd-dev&client_secret=bulkd-dev-"
                      "secret&scope=https%3A%2F%2Fvault.azure.net%2F.default",
                      "application/x-www-form-urlencoded");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    token_ = nlohmann::json::parse(r->body)["access_token"].get<std::string>();
    return token_;
  }

  child_process proc_;
  int port_ = 0;
  std::string token_;
};

} // namespace bulkd::test
