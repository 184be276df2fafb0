// The key-backup job against a scripted vault (a local httplib server): the 401 challenge is
// learned from WWW-Authenticate and the token asked of the challenge's tenant, an empty first
// page with a nextLink is followed, a managed key is skipped with its reason in the manifest, a
// 503 with retry-after-ms is retried, and a listing refused for good fails the run without a
// manifest.

#include "actors/actor_system_setup.hpp"
#include "actors/http_pool.hpp"
#include "actors/key_backup/run_key_backup.hpp"
#include "clients/base64url.hpp"
#include "jobs/key_backup/backup_set_reader.hpp"
#include "tests/actors/http_test_server.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

namespace fs = std::filesystem;
using namespace bulkd;

namespace {

struct fake_vault {
  test::test_server server;
  std::atomic<int> token_requests{0};
  std::atomic<int> unauthorized{0};
  std::atomic<int> backups{0};
  std::atomic<bool> refuse_listing{false};
  std::mutex mtx;
  std::set<std::string> tenants_asked;

  fake_vault() {
    auto& s = *server;
    s.Post(R"(/([^/]+)/oauth2/v2\.0/token)",
           [this](const httplib::Request& req, httplib::Response& res) {
             ++token_requests;
             {
               std::lock_guard guard{mtx};
               tenants_asked.insert(req.matches[1]);
             }
             res.set_content(R"({"token_type":"Bearer","expires_in":3600,"access_token":"tok"})",
                             "application/json");
           });
    auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") == "Bearer tok")
        return true;
      ++unauthorized;
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer authorization=\"" + server.origin() +
                                             "/tenant-x\", resource=\"https://vault.azure.net\"");
      res.set_content(R"({"error":{"code":"Unauthorized","message":"AKV10000: no token"}})",
                      "application/json");
      return false;
    };
    s.Get("/keys", [this, authorized](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res))
        return;
      if (refuse_listing) {
        res.status = 403;
        res.set_content(R"({"error":{"code":"Forbidden","message":"no list permission"}})",
                        "application/json");
        return;
      }
      auto o = server.origin();
      if (!req.has_param("$skiptoken")) {
        res.set_content(R"({"value":[],"nextLink":")" + o +
                            R"(/keys?api-version=7.5&$skiptoken=2"})",
                        "application/json");
        return;
      }
      res.set_content(
          R"({"value":[{"kid":")" + o +
              R"(/keys/cert-key","managed":true,)"
              R"("attributes":{"enabled":true}},{"kid":")" +
              o +
              R"(/keys/plain",)"
              R"("attributes":{"enabled":true},"tags":{"env":"prod"}}],"nextLink":null})",
          "application/json");
    });
    s.Get("/keys/plain/versions",
          [this, authorized](const httplib::Request& req, httplib::Response& res) {
            if (!authorized(req, res))
              return;
            auto o = server.origin();
            res.set_content(R"({"value":[{"kid":")" + o +
                                R"(/keys/plain/v2","attributes":{"created":20}},)"
                                R"({"kid":")" +
                                o + R"(/keys/plain/v1","attributes":{"created":10}}]})",
                            "application/json");
          });
    s.Get("/keys/plain/", [this, authorized](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res))
        return;
      res.set_content(R"({"key":{"kid":")" + server.origin() +
                          R"(/keys/plain/v2","kty":"RSA","n":"AQAB","e":"AQAB"},"attributes":{}})",
                      "application/json");
    });
    s.Post("/keys/plain/backup",
           [this, authorized](const httplib::Request& req, httplib::Response& res) {
             if (!authorized(req, res))
               return;
             if (++backups == 1) {
               res.status = 503;
               res.set_header("retry-after-ms", "50");
               res.set_content(R"({"error":{"code":"ServiceUnavailable","message":"busy"}})",
                               "application/json");
               return;
             }
             res.set_content(R"({"value":")" + base64url_encode("the-backup-blob") + "\"}",
                             "application/json");
           });
    server.start();
  }
};

struct fake_run {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  http_pool_actor pool;
  daemon_config config;

  explicit fake_run(const fake_vault& v, std::string tenant = "tenant-x") {
    configure_actor_system(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    pool = spawn_http_pool(*sys, {});
    vault_config vc;
    vc.name = "fake";
    vc.url = v.server.origin();
    vc.credential.type = credential_type::client_secret;
    vc.credential.tenant_id = tenant;
    vc.credential.client_id = "app";
    vc.credential.client_secret = secret{"pw"};
    vc.credential.authority_host = v.server.origin();
    config.vaults["fake"] = vc;
  }

  ~fake_run() { caf::anon_send_exit(pool, caf::exit_reason::user_shutdown); }

  key_backup_result backup(const fs::path& dest) {
    key_backup_spec spec;
    spec.vault = "fake";
    spec.destination.path = dest.string();
    spec.retry.initial_backoff = std::chrono::milliseconds{10};
    job_spec j;
    j.name = "fake-keys";
    j.body = spec;
    return run_key_backup(*sys, pool, config, j);
  }
};

struct scratch {
  fs::path path;
  scratch() {
    char tmpl[] = "/tmp/bulkd-kbfake-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~scratch() { fs::remove_all(path); }
};

} // namespace

TEST_CASE("key backup learns the challenge, follows empty pages, skips managed keys",
          "[key_backup]") {
  fake_vault vault;
  fake_run run{vault};
  scratch dir;
  auto r = run.backup(dir.path);
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(r.listed == 2);
  CHECK(r.backed_up == 1);
  CHECK(r.skipped == 1);
  CHECK(r.requests_retried == 1);
  // One unauthenticated probe; the token comes from the challenge's tenant, once.
  CHECK(vault.unauthorized == 1);
  CHECK(vault.token_requests == 1);
  CHECK(vault.tenants_asked == std::set<std::string>{"tenant-x"});
  auto set = key_backup::open_backup_set(r.set_dir);
  REQUIRE(set);
  auto& m = set->manifest;
  REQUIRE(m.keys.size() == 1);
  CHECK(m.keys[0].key.name == "plain");
  CHECK(m.keys[0].key.versions == std::vector<std::string>{"v1", "v2"});
  CHECK(m.keys[0].key.kid == vault.server.origin() + "/keys/plain/v2");
  CHECK(m.keys[0].key.key_type == "RSA");
  CHECK(m.keys[0].key.tags == std::map<std::string, std::string>{{"env", "prod"}});
  auto blob = key_backup::read_key_blob(*set, m.keys[0], nullptr);
  REQUIRE(blob);
  CHECK(*blob == "the-backup-blob");
  REQUIRE(m.skipped.size() == 1);
  CHECK(m.skipped[0].name == "cert-key");
  CHECK(m.skipped[0].managed);
  CHECK_THAT(m.skipped[0].reason, Catch::Contains("backs a certificate"));
}

TEST_CASE("key backup: a listing refused for good fails the run and leaves no manifest",
          "[key_backup]") {
  fake_vault vault;
  vault.refuse_listing = true;
  fake_run run{vault};
  scratch dir;
  auto r = run.backup(dir.path);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "listing keys failed: unauthorized: Key Vault answered 403 Forbidden: no list "
                   "permission");
  REQUIRE_FALSE(r.set_dir.empty());
  CHECK_FALSE(fs::exists(fs::path{r.set_dir} / "manifest.json"));
}

TEST_CASE("key backup: a challenge naming another tenant than the credential's is refused",
          "[key_backup]") {
  fake_vault vault;
  fake_run run{vault, "tenant-home"};
  scratch dir;
  auto r = run.backup(dir.path);
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.error, Catch::Contains("the vault asks for a token of tenant \"tenant-x\", not "
                                      "the configured tenant \"tenant-home\""));
  CHECK(vault.token_requests == 0);
}
