#pragma once

// An emulator started in-process on 127.0.0.1:0 with a store (":memory:" unless a path is given)
// and a client that signs requests with the master key like an SDK.

#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/http_date.hpp"
#include "clients/cosmos/resource_path.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "emulator/server.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace bulkd::emulator::testing {

struct fixture_options {
  unsigned ranges = 1;
  std::string store_path = ":memory:";
  fault_spec faults;
  tls_files tls; // set: HTTPS, the client trusts the certificate
};

struct reply {
  int status = 0;
  httplib::Headers headers;
  std::string body;
  nlohmann::json json;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
  std::string message() const { return json.is_object() ? json.value("message", "") : ""; }
  std::string code() const { return json.is_object() ? json.value("code", "") : ""; }
};

class emulator_fixture {
public:
  explicit emulator_fixture(fixture_options opts = {}) {
    server_config config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 32;
    config.faults = opts.faults;
    config.tls = opts.tls;
    srv = std::make_unique<server>(config);
    auto data = cosmos::store::open(opts.store_path);
    REQUIRE(data);
    cosmos::cosmos_config cosmos_config;
    cosmos_config.ranges = opts.ranges;
    cosmos_config.scheme = opts.tls.certificate.empty() ? "http" : "https";
    auto made = cosmos::cosmos_service::make(cosmos_config, std::move(*data));
    REQUIRE(made);
    service = std::move(*made);
    service->register_routes(srv->http());
    auto port = srv->start();
    REQUIRE(port);
    if (opts.tls.certificate.empty()) {
      client = std::make_unique<httplib::Client>("127.0.0.1", *port);
    } else {
      client = std::make_unique<httplib::Client>("https://127.0.0.1:" + std::to_string(*port));
      client->set_ca_cert_path(opts.tls.certificate.c_str());
      client->enable_server_certificate_verification(true);
    }
    client->set_read_timeout(10, 0);
    key = *bulkd::cosmos::parse_master_key(cosmos::well_known_key);
  }

  /// Sends a request signed for its path (raw ids, no encoding needed in tests).
  reply send(const std::string& method, const std::string& path, const std::string& body = {},
             httplib::Headers headers = {}) {
    return send_via(*client, method, path, body, std::move(headers));
  }

  /// The same through another client (e.g. one per thread; a client serializes its requests).
  reply send_via(httplib::Client& via, const std::string& method, const std::string& path,
                 const std::string& body = {}, httplib::Headers headers = {}) {
    auto addr = bulkd::cosmos::parse_resource_path(path);
    std::string type = addr ? addr->resource_type : "";
    std::string link = addr ? addr->resource_link : "";
    std::string verb = method;
    for (auto& c : verb)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto date = bulkd::cosmos::format_http_date(std::chrono::system_clock::now());
    if (headers.find("x-ms-date") == headers.end())
      headers.emplace("x-ms-date", date);
    if (headers.find("authorization") == headers.end())
      headers.emplace("authorization",
                      bulkd::cosmos::master_authorization(key, verb, type, link,
                                                          headers.find("x-ms-date")->second));
    headers.emplace("x-ms-version", "2020-07-15");
    return raw_via(via, method, path, body, headers);
  }

  /// Sends without adding anything.
  reply raw(const std::string& method, const std::string& path, const std::string& body,
            const httplib::Headers& headers) {
    return raw_via(*client, method, path, body, headers);
  }

  static reply raw_via(httplib::Client& via, const std::string& method, const std::string& path,
                       const std::string& body, const httplib::Headers& headers) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers = headers;
    req.body = body;
    if (!body.empty())
      req.headers.emplace("Content-Type", "application/json");
    auto res = via.send(req);
    reply out;
    if (!res) {
      out.status = -1;
      return out;
    }
    out.status = res->status;
    out.headers = res->headers;
    out.body = res->body;
    out.json = nlohmann::json::parse(res->body, nullptr, false);
    return out;
  }

  reply create_database(const std::string& id) {
    return send("POST", "/dbs", nlohmann::json{{"id", id}}.dump());
  }

  reply create_container(const std::string& db, const std::string& id,
                         nlohmann::json pk = {{"paths", {"/pk"}}}) {
    return send("POST", "/dbs/" + db + "/colls",
                nlohmann::json{{"id", id}, {"partitionKey", pk}}.dump());
  }

  static httplib::Headers pk_header(const std::string& json_array) {
    return {{"x-ms-documentdb-partitionkey", json_array}};
  }

  std::unique_ptr<server> srv;
  std::unique_ptr<cosmos::cosmos_service> service;
  std::unique_ptr<httplib::Client> client;
  bulkd::cosmos::master_key key;
};

} // namespace bulkd::emulator::testing
