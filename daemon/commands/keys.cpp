#include "actors/actor_system_setup.hpp"
#include "actors/http_pool.hpp"
#include "actors/key_backup/run_key_backup.hpp"
#include "clients/error.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/log.hpp"
#include "daemon/text_table.hpp"
#include "jobs/error_text.hpp"
#include "jobs/key_backup/backup_set_reader.hpp"
#include "jobs/spec_loader.hpp"
#include "jobs/timestamp.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace bulkd {

namespace {

using namespace key_backup;

using row = std::vector<std::string>;

void print_set_header(const std::string& dir, const backup_manifest& m) {
  std::printf("set:        %s\n", dir.c_str());
  std::printf("vault:      %s\n", m.vault_url.c_str());
  std::printf("started:    %s\n", format_rfc3339(m.started).c_str());
  std::printf("finished:   %s\n", format_rfc3339(m.finished).c_str());
  if (m.encryption.encrypted())
    std::printf("encryption: %s, key id %s\n", m.encryption.algorithm.c_str(),
                m.encryption.key_id.c_str());
  else
    std::printf("encryption: none\n");
  std::printf("\n");
}

// A SET argument that is not a directory at all is a usage error, not a failed check.
bool is_usable_set_dir(const std::string& dir) {
  std::error_code err;
  if (std::filesystem::is_directory(dir, err))
    return true;
  std::fprintf(stderr, "bulkd keys: not a directory: %s\n", dir.c_str());
  return false;
}

int run_verify(const keys_options& opts) {
  if (!is_usable_set_dir(opts.set_dir))
    return exit_code::bad_input;
  std::optional<encryption_key> key;
  if (!opts.encryption_key_file.empty()) {
    auto k = encryption_key::read_file(opts.encryption_key_file);
    if (!k) {
      std::fprintf(stderr, "bulkd keys verify: %s\n", error_text(k.error()).c_str());
      return exit_code::bad_input;
    }
    key = std::move(*k);
  }
  auto report = verify_backup_set(opts.set_dir, key ? &*key : nullptr);
  if (report.manifest) {
    print_set_header(opts.set_dir, *report.manifest);
    std::vector<row> rows;
    for (const auto& k : report.keys)
      rows.push_back({k.name, std::to_string(k.versions), std::to_string(k.size),
                      k.ok ? "ok" : "FAILED: " + k.problem});
    print_table({"KEY", "VERSIONS", "SIZE", "RESULT"}, rows);
  }
  if (!report.notes.empty()) {
    std::printf("\nnotes:\n");
    for (const auto& n : report.notes)
      std::printf("  %s\n", n.c_str());
  }
  if (!report.problems.empty()) {
    std::printf("\nproblems:\n");
    for (const auto& p : report.problems)
      std::printf("  %s\n", p.c_str());
  }
  if (report.ok()) {
    std::printf("\nverify: ok, %zu key(s) checked\n", report.keys.size());
    return exit_code::ok;
  }
  std::printf("\nverify: FAILED, %zu problem(s)\n", report.problems.size());
  return exit_code::failed;
}

std::string join_tags(const std::map<std::string, std::string>& tags) {
  std::string out;
  for (const auto& [k, v] : tags) {
    if (!out.empty())
      out += ",";
    out += k + "=" + v;
  }
  return out.empty() ? "-" : out;
}

int run_list(const keys_options& opts) {
  if (!is_usable_set_dir(opts.set_dir))
    return exit_code::bad_input;
  auto set = open_backup_set(opts.set_dir);
  if (!set) {
    std::fprintf(stderr, "bulkd keys list: %s\n", error_text(set.error()).c_str());
    return exit_code::failed;
  }
  const auto& m = set->manifest;
  print_set_header(opts.set_dir, m);
  std::vector<row> rows;
  for (const auto& k : m.keys)
    rows.push_back({k.key.name, std::to_string(k.key.versions.size()), std::to_string(k.size),
                    join_tags(k.key.tags)});
  print_table({"KEY", "VERSIONS", "SIZE", "TAGS"}, rows);
  for (const auto& s : m.skipped)
    std::printf("skipped %s: %s\n", s.name.c_str(), s.reason.c_str());
  for (const auto& f : m.failed)
    std::printf("failed %s: %s\n", f.name.c_str(), f.error.c_str());
  std::printf("%zu key(s), %zu skipped, %zu failed\n", m.keys.size(), m.skipped.size(),
              m.failed.size());
  return exit_code::ok;
}

// `bulkd keys restore SET --vault V [--key NAME...] [--skip-existing] [--encryption-key-file F]`:
// one row per key (restored, skipped, FAILED), exit 0 when none failed, 1 otherwise, 2 for bad
// usage (no such directory, a config that does not load, an unknown vault).
int run_restore(const keys_options& opts) {
  if (!is_usable_set_dir(opts.set_dir))
    return exit_code::bad_input;
  auto config = load_daemon_config(opts.config);
  for (auto& d : config.diags)
    std::fprintf(stderr, "%s\n", render(d).c_str());
  if (!config.ok())
    return exit_code::bad_input;
  if (config.value->vaults.count(opts.vault) == 0) {
    std::fprintf(stderr, "bulkd keys restore: vault '%s' is not defined in %s\n",
                 opts.vault.c_str(), opts.config.c_str());
    return exit_code::bad_input;
  }
  configure_logging(to_spdlog_level(config.value->log.level), config.value->log.format);
  key_restore_request req;
  req.set_dir = opts.set_dir;
  req.vault = opts.vault;
  req.keys = opts.keys;
  req.skip_existing = opts.skip_existing;
  req.encryption_key_file = opts.encryption_key_file;
  key_restore_result result;
  {
    caf::actor_system_config sys_cfg;
    configure_actor_system(sys_cfg);
    caf::actor_system sys{sys_cfg};
    http_pool_config pool_cfg;
    pool_cfg.workers = req.workers + 2;
    auto pool = spawn_http_pool(sys, pool_cfg);
    result = run_key_restore(sys, pool, *config.value, req);
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
  }
  if (!result.keys.empty()) {
    std::vector<row> rows;
    for (const auto& k : result.keys) {
      const char* what = k.kind == key_outcome::stored    ? "restored"
                         : k.kind == key_outcome::skipped ? "skipped"
                                                          : "FAILED";
      rows.push_back({k.name, what, k.detail});
    }
    std::sort(rows.begin(), rows.end());
    print_table({"KEY", "RESULT", "DETAIL"}, rows);
    std::printf("\n");
  }
  if (!result.error.empty())
    std::fprintf(stderr, "bulkd keys restore: %s\n", result.error.c_str());
  std::printf("restore: %zu restored, %zu skipped, %zu failed (%.1f s)\n", result.restored,
              result.skipped, result.failed, result.seconds);
  return result.ok ? exit_code::ok : exit_code::failed;
}

} // namespace

int run_keys(const keys_options& opts) {
  if (opts.action == "verify")
    return run_verify(opts);
  if (opts.action == "list")
    return run_list(opts);
  if (opts.action == "restore")
    return run_restore(opts);
  std::fprintf(stderr, "bulkd keys: unknown action %s\n", opts.action.c_str());
  return exit_code::bad_input;
}

} // namespace bulkd
