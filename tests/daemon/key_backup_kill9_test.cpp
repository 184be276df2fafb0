// kill -9 during `bulkd run` of a key-backup job: the killed run's set has key files but no
// manifest.json, `bulkd keys verify` calls it incomplete, and the next run (retention keep_last 1)
// writes a complete set with every key. Retention never counts or deletes the incomplete set (it
// may be a run still going); it only deletes complete sets older than the newest kept one.
//
// The emulator answers every Key Vault request after 25 ms so that a run of 120 keys with 2
// workers takes seconds: the kill lands while key files are being written.

#include "jobs/key_backup/backup_set_reader.hpp"
#include "jobs/key_backup/set_layout.hpp"
#include "tests/actors/key_backup/kv_emulator.hpp"
#include "tests/support/child_process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* hex_key = "8f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100";
constexpr size_t key_count = 120;

std::string key_name(size_t i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k-%03zu", i);
  return buf;
}

/// Key i: RSA every 10th, EC every 3rd, else oct; every 15th has two versions; some tagged.
std::map<std::string, size_t> create_keys(bulkd::test::kv_emulator& emu) {
  std::map<std::string, size_t> versions;
  for (size_t i = 0; i < key_count; ++i) {
    auto kty = i % 10 == 0 ? "RSA" : i % 3 == 0 ? "EC" : "oct";
    std::map<std::string, std::string> tags;
    if (i % 4 == 0)
      tags["env"] = "prod";
    size_t n = i % 15 == 0 ? 2 : 1;
    for (size_t v = 0; v < n; ++v)
      emu.create_key(key_name(i), kty, tags);
    versions[key_name(i)] = n;
  }
  return versions;
}

std::string slurp(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::ostringstream buf;
  buf << in.rdbuf();
  return std::move(buf).str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// File names in a directory, sorted.
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code err;
  for (fs::directory_iterator it{dir, err}; !err && it != fs::directory_iterator{};
       it.increment(err))
    out.insert(it->path().filename().string());
  return out;
}

size_t key_files(const fs::path& set) {
  size_t n = 0;
  for (auto& name : listing(set))
    if (name.ends_with(".kvbackup.enc"))
      ++n;
  return n;
}

struct backup_env {
  bulkd::test::temp_dir dir;
  std::unique_ptr<bulkd::test::kv_emulator> emu;
  fs::path dest;
  fs::path config;
  fs::path key_file;

  backup_env() {
    emu = std::make_unique<bulkd::test::kv_emulator>(dir.path, "latency=25ms");
    dest = dir.path / "backups";
    config = dir.path / "bulkd.yaml";
    key_file = dir.path / "backup.key";
    std::ofstream{key_file} << hex_key << "\n";
    fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    std::ofstream{config} << "state_dir: " << (dir.path / "state").string()
                          << "\nlog: { level: warn }\nvaults:\n  emu:\n    url: \"" << emu->url()
                          << "\"\n    credential:\n      type: client-secret\n      tenant_id: \""
                          << bulkd::test::dev_tenant
                          << "\"\n      client_id: bulkd-dev\n      client_secret: "
                             "bulkd-dev-secret\n      authority_host: \""
                          << emu->url() << "\"\n";
  }

  fs::path vault_dir() const {
    auto v = bulkd::key_backup::vault_directory(dest, emu->url());
    REQUIRE(v);
    return *v;
  }

  /// A job file backing up the keys matching `include`, encrypted, with `extra` YAML appended.
  fs::path job(const std::string& file, const std::string& include,
               const std::string& extra = {}) const {
    auto path = dir.path / file;
    std::ofstream{path} << "name: keys\nkind: key-backup\nvault: emu\nkeys: { include: [\""
                        << include << "\"] }\ndestination: { path: " << dest.string()
                        << ", encryption_key: \"${file:" << key_file.string() << "}\" }\n"
                        << "concurrency: { workers: 2 }\n"
                        << "retry: { max_attempts: 10, initial_backoff: 50ms, max_backoff: 1s }\n"
                        << extra;
    return path;
  }

  std::vector<std::string> run_args(const fs::path& job, const fs::path& report) const {
    return {BULKD_BINARY,    "run",      job.string(),   "--config",
            config.string(), "--report", report.string()};
  }

  /// Runs to completion; {exit code, output, report}.
  std::tuple<int, std::string, nlohmann::json> run(const fs::path& job, const std::string& tag) {
    auto report = dir.path / (tag + ".json");
    auto [rc, out] = bulkd::test::run_to_completion(run_args(job, report),
                                                    (dir.path / (tag + ".log")).string(), 300s);
    nlohmann::json r;
    if (fs::exists(report))
      r = nlohmann::json::parse(slurp(report));
    return {rc, out, r};
  }

  std::pair<int, std::string> keys(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{BULKD_BINARY, "keys"};
    argv.insert(argv.end(), args.begin(), args.end());
    return bulkd::test::run_to_completion(std::move(argv), (dir.path / "keys.log").string(), 120s);
  }
};

} // namespace

TEST_CASE("bulkd run key-backup: kill -9 leaves an incomplete set that verify names and "
          "retention keeps and the rerun backs up every key",
          "[daemon][key_kill9]") {
  if (!bulkd::test::have_bulkd_binary())
    return;
  backup_env env;
  REQUIRE(env.emu->port() > 0);
  auto versions = create_keys(*env.emu);

  // Run 1: a complete set of the first ten keys, older than everything below.
  auto [rc1, out1, report1] = env.run(env.job("first.yaml", "k-00*"), "run1");
  INFO(out1);
  REQUIRE(rc1 == 0);
  REQUIRE(report1["backed_up"] == 10);
  fs::path first_set = report1["set_dir"].get<std::string>();
  REQUIRE(fs::exists(first_set / "manifest.json"));

  // Run 2: every key, killed once some key files are in its set.
  auto full = env.job("full.yaml", "*");
  fs::path killed_set;
  {
    bulkd::test::child_process p{env.run_args(full, env.dir.path / "run2.json"),
                                 (env.dir.path / "run2.log").string()};
    for (int i = 0; i < 12000 && killed_set.empty(); ++i) {
      for (auto& name : listing(env.vault_dir())) {
        auto set = env.vault_dir() / name;
        if (set != first_set && key_files(set) >= 5)
          killed_set = set;
      }
      if (killed_set.empty()) {
        if (p.wait_for(0ms))
          break;
        std::this_thread::sleep_for(10ms);
      }
    }
    p.signal(SIGKILL);
    auto rc = p.wait_for(30s);
    INFO(p.output());
    REQUIRE(rc);
    REQUIRE(*rc == 128 + SIGKILL); // killed in the middle, not finished before
  }
  REQUIRE_FALSE(killed_set.empty());
  auto killed_files = listing(killed_set);
  auto written = key_files(killed_set);
  INFO("killed set " << killed_set << " holds " << written << " key file(s)");
  CHECK_FALSE(fs::exists(killed_set / "manifest.json"));
  CHECK(written >= 5);
  CHECK(written < key_count);

  auto [vrc, vout] =
      env.keys({"verify", killed_set.string(), "--encryption-key-file", env.key_file.string()});
  INFO(vout);
  CHECK(vrc == 1);
  CHECK(contains(vout, "incomplete set: no manifest.json in " + killed_set.string()));
  CHECK(contains(vout, "verify: FAILED, 1 problem(s)"));
  auto [lrc, lout] = env.keys({"list", killed_set.string()});
  CHECK(lrc == 1);
  CHECK(contains(lout, "incomplete set: no manifest.json in " + killed_set.string()));

  // Run 3: every key again, keep_last 1.
  auto [rc3, out3, report3] =
      env.run(env.job("retained.yaml", "*", "retention: { keep_last: 1 }\n"), "run3");
  INFO(out3);
  REQUIRE(rc3 == 0);
  CHECK(report3["ok"] == true);
  CHECK(report3["backed_up"] == key_count);
  CHECK(report3["failed"] == 0);
  CHECK(report3["retention_errors"].empty());
  CHECK(contains(out3, "retention    1 set(s) removed"));
  fs::path new_set = report3["set_dir"].get<std::string>();
  CHECK(new_set != killed_set);

  // Retention counted the new set only: the older complete set is gone, the incomplete one is
  // untouched.
  CHECK(report3["retention_removed"] == 1);
  CHECK_FALSE(fs::exists(first_set));
  CHECK(fs::is_directory(killed_set));
  CHECK(listing(killed_set) == killed_files);
  // ... and reported, so that killed runs do not pile up unseen.
  REQUIRE(report3["retention_incomplete"].size() == 1);
  CHECK(
      contains(report3["retention_incomplete"][0].get<std::string>(), killed_set.string() + ": "));
  CHECK(contains(out3, "incomplete   1 older set(s) without a manifest kept"));
  std::set<std::string> sets;
  for (auto& name : listing(env.vault_dir()))
    sets.insert(name);
  CHECK(sets == std::set<std::string>{killed_set.filename().string(), new_set.filename().string()});

  // Nothing lost: the new set holds every key with all its versions, and verifies.
  auto set = bulkd::key_backup::open_backup_set(new_set);
  REQUIRE(set);
  std::map<std::string, size_t> in_set;
  for (auto& k : set->manifest.keys)
    in_set[k.key.name] = k.key.versions.size();
  CHECK(in_set == versions);
  auto [nrc, nout] =
      env.keys({"verify", new_set.string(), "--encryption-key-file", env.key_file.string()});
  INFO(nout);
  CHECK(nrc == 0);
  CHECK(contains(nout, "verify: ok, " + std::to_string(key_count) + " key(s) checked"));
}
