// Key backup and restore runs (run_key_backup / run_key_restore) against a `bulkd emulator`
// child process: every selected key is backed up with all its versions, the set verifies, faults
// (429, connection resets) only cost retries, retention keeps the newest sets, and a restore into
// the purged vault brings back the same versions and public key material.
//
// The 300-key run is hidden: test_actors "[.slow]"

#include "actors/actor_system_setup.hpp"
#include "actors/http_pool.hpp"
#include "actors/key_backup/run_key_backup.hpp"
#include "clients/error.hpp"
#include "jobs/key_backup/backup_set_reader.hpp"
#include "jobs/key_backup/encryption_key.hpp"
#include "jobs/key_backup/retention.hpp"
#include "tests/actors/key_backup/kv_emulator.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <cstdlib>
#include <fstream>
#include <set>

namespace fs = std::filesystem;
using namespace bulkd;
using namespace std::chrono_literals;

namespace {

constexpr const char* hex_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// The keys the tests create: name -> (kty, versions, tags).
struct key_plan {
  std::string name;
  std::string kty;
  int versions = 1;
  std::map<std::string, std::string> tags;
};

std::vector<key_plan> make_plan(size_t n) {
  std::vector<key_plan> plan;
  const char* types[] = {"RSA", "EC", "oct"};
  for (size_t i = 0; i < n; ++i) {
    key_plan k;
    k.kty = types[i % 3];
    k.name = std::string{i % 3 == 0 ? "rsa" : i % 3 == 1 ? "ec" : "oct"} + "-" + std::to_string(i);
    k.versions = i % 7 == 0 ? 3 : 1;
    if (i % 4 == 0)
      k.tags = {{"env", "prod"}};
    else if (i % 4 == 1)
      k.tags = {{"env", "dev"}, {"team", "a"}};
    plan.push_back(std::move(k));
  }
  return plan;
}

void create_keys(test::kv_emulator& emu, const std::vector<key_plan>& plan) {
  for (auto& k : plan)
    for (int v = 0; v < k.versions; ++v)
      emu.create_key(k.name, k.kty, k.tags);
}

struct runner {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  http_pool_actor pool;
  daemon_config config;

  runner(const test::kv_emulator& emu, const fs::path& dir) {
    configure_actor_system(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    http_pool_config pc;
    pc.workers = 16;
    pool = spawn_http_pool(*sys, pc);
    config.state_dir = (dir / "state").string();
    vault_config v;
    v.name = "emu";
    v.url = emu.url();
    v.credential.type = credential_type::client_secret;
    v.credential.tenant_id = test::dev_tenant;
    v.credential.client_id = "bulkd-dev";
    v.credential.client_secret = secret{"bulkd-dev-secret"};
    v.credential.authority_host = emu.url();
    config.vaults["emu"] = v;
  }

  ~runner() {
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
    caf::scoped_actor self{*sys, true};
    self->wait_for(pool);
  }

  job_spec job(const fs::path& dest, bool encrypted, std::optional<uint32_t> keep_last = {}) {
    key_backup_spec spec;
    spec.vault = "emu";
    spec.destination.path = dest.string();
    if (encrypted)
      spec.destination.encryption_key = secret{hex_key};
    spec.keep_last = keep_last;
    spec.workers = 8;
    spec.retry.max_attempts = 12;
    spec.retry.initial_backoff = 20ms;
    spec.retry.max_backoff = 500ms;
    job_spec j;
    j.name = "keys";
    j.body = spec;
    return j;
  }

  key_backup_result backup(const job_spec& j) { return run_key_backup(*sys, pool, config, j); }

  key_restore_result restore(key_restore_request req) {
    req.vault = "emu";
    req.retry.initial_backoff = 20ms;
    req.retry.max_backoff = 500ms;
    return run_key_restore(*sys, pool, config, req);
  }
};

std::string key_file(const fs::path& dir) {
  auto p = dir / "backup.key";
  std::ofstream{p} << hex_key << "\n";
  return p.string();
}

/// Checks the set against the emulator: every planned key with its versions, and it verifies.
void check_set(test::kv_emulator& emu, const key_backup_result& r,
               const std::vector<key_plan>& plan, bool encrypted) {
  INFO("error: " << r.error);
  REQUIRE(r.ok);
  CHECK(r.backed_up == plan.size());
  CHECK(r.failed == 0);
  auto key = key_backup::encryption_key::parse(hex_key);
  REQUIRE(key);
  auto report = key_backup::verify_backup_set(r.set_dir, encrypted ? &*key : nullptr);
  for (auto& p : report.problems)
    UNSCOPED_INFO(p);
  REQUIRE(report.ok());
  REQUIRE(report.manifest);
  std::map<std::string, key_backup::manifest_key> by_name;
  for (auto& k : report.manifest->keys)
    by_name[k.key.name] = k;
  REQUIRE(by_name.size() == plan.size());
  for (auto& k : plan) {
    INFO("key " << k.name);
    REQUIRE(by_name.count(k.name) == 1);
    auto& entry = by_name[k.name].key;
    auto versions = entry.versions;
    std::sort(versions.begin(), versions.end());
    CHECK(versions == emu.versions(k.name));
    CHECK(entry.key_type == k.kty);
    CHECK(entry.tags == k.tags);
    CHECK(entry.kid == emu.public_key(k.name)["kid"].get<std::string>());
  }
}

} // namespace

TEST_CASE("key backup: every key with all versions, encrypted set verifies, selection, "
          "retention",
          "[key_backup]") {
  if (!test::have_bulkd_binary())
    return;
  test::temp_dir dir;
  test::kv_emulator emu{dir.path};
  REQUIRE(emu.port() != 0);
  auto plan = make_plan(60);
  create_keys(emu, plan);
  runner run{emu, dir.path};
  auto dest = dir.path / "backups";

  auto first = run.backup(run.job(dest, true, 2));
  check_set(emu, first, plan, true);
  CHECK(first.listed == 60);
  CHECK(fs::path{first.set_dir}.parent_path().filename() ==
        "127.0.0.1_" + std::to_string(emu.port()));

  SECTION("include / exclude / tags select keys") {
    auto j = run.job(dir.path / "selected", false);
    auto& spec = std::get<key_backup_spec>(j.body);
    spec.keys.include = {"rsa-*", "ec-*"};
    spec.keys.exclude = {"ec-1*"};
    spec.keys.tags = {{"env", "prod"}};
    std::vector<key_plan> expected;
    for (auto& k : plan)
      if ((k.name.rfind("rsa-", 0) == 0 || k.name.rfind("ec-", 0) == 0) &&
          k.name.rfind("ec-1", 0) != 0 && k.tags.count("env") && k.tags.at("env") == "prod")
        expected.push_back(k);
    REQUIRE(expected.size() > 3);
    auto r = run.backup(j);
    CHECK(r.listed == 60);
    CHECK(r.selected == expected.size());
    check_set(emu, r, expected, false);
  }

  SECTION("keep_last 2 keeps the two newest complete sets, never an incomplete one") {
    // An incomplete set (no manifest, a killed run) older than everything: never removed.
    auto vault_dir = fs::path{first.set_dir}.parent_path();
    fs::create_directories(vault_dir / "2020-01-01T00-00-00Z");
    std::this_thread::sleep_for(1100ms); // set names are per second
    auto second = run.backup(run.job(dest, true, 2));
    REQUIRE(second.ok);
    CHECK(second.retention_removed == 0);
    std::this_thread::sleep_for(1100ms);
    auto third = run.backup(run.job(dest, true, 2));
    REQUIRE(third.ok);
    CHECK(third.retention_removed == 1);
    CHECK_FALSE(fs::exists(first.set_dir));
    CHECK(fs::exists(second.set_dir));
    CHECK(fs::exists(third.set_dir));
    CHECK(fs::exists(vault_dir / "2020-01-01T00-00-00Z"));
  }
}

TEST_CASE("key backup: 429 and connection resets cost retries, never keys", "[key_backup]") {
  if (!test::have_bulkd_binary())
    return;
  test::temp_dir dir;
  test::kv_emulator emu{dir.path, "429=0.3,reset=0.02"};
  REQUIRE(emu.port() != 0);
  auto plan = make_plan(60);
  create_keys(emu, plan);
  runner run{emu, dir.path};
  auto r = run.backup(run.job(dir.path / "backups", false));
  check_set(emu, r, plan, false);
  CHECK(r.throttles > 0);
  CHECK(r.requests_retried >= r.throttles);
}

TEST_CASE("key restore: purged keys come back with the same versions and key material",
          "[key_backup]") {
  if (!test::have_bulkd_binary())
    return;
  test::temp_dir dir;
  test::kv_emulator emu{dir.path};
  REQUIRE(emu.port() != 0);
  auto plan = make_plan(30);
  create_keys(emu, plan);
  std::map<std::string, std::vector<std::string>> versions;
  std::map<std::string, nlohmann::json> material;
  for (auto& k : plan) {
    versions[k.name] = emu.versions(k.name);
    material[k.name] = emu.public_key(k.name);
  }
  runner run{emu, dir.path};
  auto backup = run.backup(run.job(dir.path / "backups", true));
  check_set(emu, backup, plan, true);

  key_restore_request req;
  req.set_dir = backup.set_dir;
  req.encryption_key_file = key_file(dir.path);

  SECTION("into the purged vault") {
    for (auto& k : plan)
      emu.delete_and_purge(k.name);
    auto r = run.restore(req);
    INFO("error: " << r.error);
    REQUIRE(r.ok);
    CHECK(r.restored == plan.size());
    for (auto& k : plan) {
      INFO("key " << k.name);
      CHECK(emu.versions(k.name) == versions[k.name]);
      auto now = emu.public_key(k.name);
      CHECK(now == material[k.name]);
      for (auto part : {"n", "e", "x", "y", "crv"})
        if (material[k.name].contains(part))
          CHECK(now[part] == material[k.name][part]);
    }
  }

  SECTION("bulkd keys restore: per-key table, exit 0, then 1 for existing keys unless "
          "--skip-existing") {
    auto yaml = dir.path / "bulkd.yaml";
    std::ofstream{yaml} << "state_dir: " << (dir.path / "state").string()
                        << "\nlog: { level: warn }\nvaults:\n  emu:\n    url: \"" << emu.url()
                        << "\"\n    credential: { type: client-secret, tenant_id: \""
                        << test::dev_tenant
                        << "\", client_id: bulkd-dev, client_secret: bulkd-dev-secret, "
                           "authority_host: \""
                        << emu.url() << "\" }\n";
    for (size_t i = 0; i < 3; ++i)
      emu.delete_and_purge(plan[i].name);
    std::vector<std::string> args{
        BULKD_BINARY, "keys",     "restore",     backup.set_dir,          "--vault",
        "emu",        "--config", yaml.string(), "--encryption-key-file", req.encryption_key_file};
    for (size_t i = 0; i < 3; ++i) {
      args.push_back("--key");
      args.push_back(plan[i].name);
    }
    auto log = (dir.path / "cli.log").string();
    auto [rc, out] = test::run_to_completion(args, log);
    INFO(out);
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("KEY") && Catch::Contains("RESULT"));
    CHECK_THAT(out, Catch::Contains("restore: 3 restored, 0 skipped, 0 failed"));
    for (size_t i = 0; i < 3; ++i)
      CHECK(emu.versions(plan[i].name) == versions[plan[i].name]);
    auto [rc2, out2] = test::run_to_completion(args, log);
    INFO(out2);
    CHECK(rc2 == 1);
    CHECK_THAT(out2, Catch::Contains("FAILED") && Catch::Contains("exists in the vault"));
    CHECK_THAT(out2, Catch::Contains("restore: 0 restored, 0 skipped, 3 failed"));
    args.push_back("--skip-existing");
    auto [rc3, out3] = test::run_to_completion(args, log);
    INFO(out3);
    CHECK(rc3 == 0);
    CHECK_THAT(out3, Catch::Contains("restore: 0 restored, 3 skipped, 0 failed"));
  }

  SECTION("existing keys: 409 fails, or is skipped with skip_existing") {
    req.keys = {plan[0].name, plan[1].name};
    auto r = run.restore(req);
    CHECK_FALSE(r.ok);
    CHECK(r.failed == 2);
    REQUIRE(r.keys.size() == 2);
    CHECK_THAT(r.keys[0].detail, Catch::Contains("exists in the vault"));
    req.skip_existing = true;
    auto s = run.restore(req);
    CHECK(s.ok);
    CHECK(s.skipped == 2);
  }

  SECTION("a set that cannot be restored is refused before anything is sent") {
    req.keys = {"no-such-key"};
    auto r = run.restore(req);
    CHECK_FALSE(r.ok);
    CHECK(r.error == "not in the set: no-such-key");
    req.keys.clear();
    req.encryption_key_file.clear();
    auto no_key = run.restore(req);
    CHECK_THAT(no_key.error, Catch::Contains("the set is encrypted"));
  }

  SECTION("a tampered key file fails its restore with the reason") {
    auto set = key_backup::open_backup_set(backup.set_dir);
    REQUIRE(set);
    auto file = fs::path{backup.set_dir} / set->manifest.keys[0].file;
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    {
      std::fstream f{file, std::ios::in | std::ios::out | std::ios::binary};
      f.seekp(30);
      f.put('\x5a');
    }
    req.keys = {set->manifest.keys[0].key.name};
    auto r = run.restore(req);
    CHECK_FALSE(r.ok);
    REQUIRE(r.keys.size() == 1);
    CHECK(r.keys[0].kind == key_outcome::failed);
    CHECK_THAT(r.keys[0].detail,
               Catch::Contains("SHA-256") || Catch::Contains("sha256") || Catch::Contains("hash"));
  }
}

TEST_CASE("key backup and restore of 300 keys under faults", "[key_backup][key_slow]") {
  if (!test::have_bulkd_binary())
    return;
  test::temp_dir dir;
  test::kv_emulator emu{dir.path, "429=0.3,reset=0.02"};
  REQUIRE(emu.port() != 0);
  auto plan = make_plan(300);
  create_keys(emu, plan);
  std::map<std::string, std::vector<std::string>> versions;
  for (auto& k : plan)
    versions[k.name] = emu.versions(k.name);
  runner run{emu, dir.path};
  auto r = run.backup(run.job(dir.path / "backups", true));
  check_set(emu, r, plan, true);
  WARN("300 keys backed up in " << r.seconds << " s, " << r.throttles << " throttles, "
                                << r.requests_retried << " retries");
  for (auto& k : plan)
    emu.delete_and_purge(k.name);
  key_restore_request req;
  req.set_dir = r.set_dir;
  req.encryption_key_file = key_file(dir.path);
  auto restored = run.restore(req);
  INFO("error: " << restored.error);
  REQUIRE(restored.ok);
  CHECK(restored.restored == 300);
  WARN("300 keys restored in " << restored.seconds << " s");
  for (auto& k : plan)
    CHECK(emu.versions(k.name) == versions[k.name]);
  if (const char* figures = std::getenv("BULKD_FIGURES"); figures != nullptr && *figures != '\0') {
    std::ofstream out{figures, std::ios::app};
    out << "key backup, 300 keys under --faults 429=0.3,reset=0.02: backup " << r.seconds << " s ("
        << r.throttles << " throttles, " << r.requests_retried << " retries), restore "
        << restored.seconds << " s, versions identical\n";
  }
}
