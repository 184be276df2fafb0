#pragma once

// Test fixture: an httplib::Server on 127.0.0.1 (ephemeral port) with the identity and Key Vault
// routes, a key store (in memory unless a path is given) and a settable clock.

#include "clients/error.hpp"
#include "emulator/identity/routes.hpp"
#include "emulator/keyvault/routes.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace kv_test {

using nlohmann::json;
namespace kv = bulkd::emulator::keyvault;
namespace id = bulkd::emulator::identity;

inline constexpr int64_t start_time = 1700000000;
inline const std::string api = "api-version=7.5";

inline kv::key_material issuer_key() {
  // One RSA key per process keeps the fixtures cheap.
  static const auto key = [] {
    auto k = kv::key_material::generate({"RSA", 2048, {}, {}});
    REQUIRE(k);
    return *k;
  }();
  return key;
}

struct kv_server {
  std::atomic<int64_t> now{start_time};
  id::client_registry clients;
  std::optional<id::token_issuer> issuer;
  std::unique_ptr<kv::key_store> store;
  kv::keyvault_context kv_ctx;
  id::identity_context id_ctx;
  httplib::Server http;
  std::thread thread;
  int port = -1;
  std::string base;

  explicit kv_server(const std::string& store_path = ":memory:") {
    auto opened = kv::key_store::open(store_path);
    REQUIRE(opened);
    store = std::move(*opened);
    http.new_task_queue = [] { return new httplib::ThreadPool(8); };
    port = http.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    base = "http://127.0.0.1:" + std::to_string(port);
    auto made = id::token_issuer::make(issuer_key(), {base, 3600, 60});
    REQUIRE(made);
    issuer.emplace(std::move(*made));
    auto clock = [this] { return now.load(); };
    kv_ctx.store = store.get();
    kv_ctx.issuer = &*issuer;
    kv_ctx.vault_url = base;
    kv_ctx.authority = base;
    kv_ctx.clock = clock;
    id_ctx.clients = &clients;
    id_ctx.issuer = &*issuer;
    id_ctx.authority = base;
    id_ctx.clock = clock;
    id::register_identity_routes(http, id_ctx);
    kv::register_keyvault_routes(http, kv_ctx);
    thread = std::thread([this] { http.listen_after_bind(); });
    for (int i = 0; i < 5000 && !http.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(http.is_running());
  }

  ~kv_server() {
    http.stop();
    thread.join();
  }

  httplib::Client client() const {
    httplib::Client c{"127.0.0.1", port};
    c.set_keep_alive(true);
    c.set_read_timeout(30, 0);
    return c;
  }

  /// A token for the development client from the token endpoint.
  std::string token() {
    auto c = client();
    auto r = c.Post("/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token",
                    "grant_type=client_credentials&client_id=bulkd-dev&client_secret=bulkd-dev-"
                    "secret&scope=https%3A%2F%2Fvault.azure.net%2F.default",
                    "application/x-www-form-urlencoded");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body).at("access_token").get<std::string>();
  }
};

/// Authorized JSON calls against a kv_server.
struct kv_client {
  httplib::Client http;
  httplib::Headers headers;

  kv_client(kv_server& server, const std::string& token)
      : http(server.client()), headers{{"Authorization", "Bearer " + token}} {}
  explicit kv_client(kv_server& server) : kv_client(server, server.token()) {}

  static std::string with_api(const std::string& path) {
    return path + (path.find('?') == std::string::npos ? "?" : "&") + api;
  }

  struct answer {
    int status = 0;
    json body;
    httplib::Headers headers;
  };

  static answer convert(const httplib::Result& r) {
    REQUIRE(r);
    answer out{r->status, json(), r->headers};
    if (!r->body.empty())
      out.body = json::parse(r->body);
    return out;
  }

  answer get(const std::string& path) { return convert(http.Get(with_api(path).c_str(), headers)); }
  answer get_raw(const std::string& path_and_query) {
    return convert(http.Get(path_and_query.c_str(), headers));
  }
  answer post(const std::string& path, const std::string& body) {
    return convert(http.Post(with_api(path).c_str(), headers, body, "application/json"));
  }
  answer post(const std::string& path, const json& body) { return post(path, body.dump()); }
  answer put(const std::string& path, const json& body) {
    return convert(http.Put(with_api(path).c_str(), headers, body.dump(), "application/json"));
  }
  answer patch(const std::string& path, const json& body) {
    return convert(http.Patch(with_api(path).c_str(), headers, body.dump(), "application/json"));
  }
  answer del(const std::string& path) {
    return convert(http.Delete(with_api(path).c_str(), headers));
  }
};

inline std::string error_code(const kv_client::answer& a) {
  return a.body.at("error").at("code").get<std::string>();
}
inline std::string error_message(const kv_client::answer& a) {
  return a.body.at("error").at("message").get<std::string>();
}

/// The version part of a kid.
inline std::string version_of(const json& bundle) {
  auto kid = bundle.at("key").at("kid").get<std::string>();
  return kid.substr(kid.rfind('/') + 1);
}

} // namespace kv_test
