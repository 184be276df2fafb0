// `bulkd checkpoint show JOB` and `bulkd checkpoint reset JOB --to beginning|now|TIME`: a job's
// checkpoints as its next run will find them, and starting over. The job is looked up by name in
// the jobs_dir of the daemon config. A reset takes the job's lock (jobs/job_lock.hpp), so it is
// refused while `bulkd run` or `bulkd serve` runs the job on this machine.
//
// change-feed, store: file: <state_dir>/leases/<job>.json is rewritten atomically, every lease
// free, without continuation, with StartFrom = the target (for `now`: the time of the reset).
// change-feed, store: cosmos: every lease document of the job's prefix is replaced the same way
// with If-Match on the etag it was listed with, so a lease an instance elsewhere changes in
// between is not overwritten (the reset stops there and says so). A lease owned by an instance
// and renewed within the lease expiration refuses the reset before anything is written: the
// job lock only covers this machine. The documents are replaced rather than deleted, because a
// deleted lease would be recreated at the next start from the spec's start_from, not --to.
// bulk-upsert: the checkpoint file holds file offsets, not times: only --to beginning, which
// removes it (after printing what it held).

#include "clients/error.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/cosmos_leases.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/text_table.hpp"
#include "jobs/bulk_upsert/bulk_checkpoint.hpp"
#include "jobs/change_feed/lease_file.hpp"
#include "jobs/change_feed/lease_update.hpp"
#include "jobs/change_feed/start_position.hpp"
#include "jobs/error_text.hpp"
#include "jobs/job_lock.hpp"
#include "jobs/spec_loader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace bulkd {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using row = std::vector<std::string>;

// What a command needs of the job and the config.
struct job_context {
  const checkpoint_options& opts;
  daemon_config config;
  job_spec job;
  fs::path state_dir;
};

void fail(const checkpoint_options& opts, const std::string& message) {
  std::fprintf(stderr, "bulkd checkpoint %s: %s\n", opts.action.c_str(), message.c_str());
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

// ---- change-feed ----------------------------------------------------------------------------

const change_feed_spec& feed_of(const job_context& c) {
  return std::get<change_feed_spec>(c.job.body);
}

fs::path lease_file_of(const job_context& c) {
  return lease_file_path(c.state_dir, c.job.name);
}

cosmos_lease_target cosmos_target_of(const job_context& c) {
  auto& spec = feed_of(c);
  cosmos_lease_target t;
  t.account = c.config.accounts.at(spec.leases.container.account);
  t.database = spec.leases.container.database;
  t.container = spec.leases.container.container;
  t.prefix = lease_prefix(c.job.name, spec.source.database, spec.source.container);
  return t;
}

std::string where_leases_are(const job_context& c) {
  auto& spec = feed_of(c);
  if (spec.leases.store == lease_store_kind::file)
    return lease_file_of(c).string() + " (store: file)";
  auto t = cosmos_target_of(c);
  return "account " + spec.leases.container.account + ", container " + t.database + "/" +
         t.container + ", ids " + t.prefix + "..<range> (store: cosmos)";
}

caf::expected<std::vector<lease>> read_leases(const job_context& c) {
  if (feed_of(c).leases.store == lease_store_kind::file) {
    auto f = load_lease_file(lease_file_of(c));
    if (!f)
      return f.error();
    return std::move(f->leases);
  }
  return list_cosmos_leases(cosmos_target_of(c));
}

void print_leases(const job_context& c, const std::vector<lease>& leases) {
  std::printf("job:        %s (change-feed)\n", c.job.name.c_str());
  std::printf("leases:     %s\n", where_leases_are(c).c_str());
  std::printf("start_from: %s in the spec (for leases without StartFrom and new ranges)\n",
              to_string(feed_of(c).source.start_from).c_str());
  if (leases.empty()) {
    std::printf("no leases: the job has not run yet (or they were deleted); it starts from %s\n",
                to_string(feed_of(c).source.start_from).c_str());
    return;
  }
  std::vector<row> rows;
  for (auto& l : leases)
    rows.push_back({l.range.token, "[\"" + l.range.min + "\",\"" + l.range.max + "\")",
                    or_dash(l.owner), or_dash(l.continuation), format_rfc3339(l.timestamp),
                    or_dash(l.parent), or_dash(l.start_from)});
  std::printf("\n");
  print_table({"RANGE", "EPK RANGE", "OWNER", "CONTINUATION", "TIMESTAMP", "PARENT", "START"},
              rows);
}

json leases_json(const job_context& c, const std::vector<lease>& leases) {
  auto& spec = feed_of(c);
  json out;
  out["job"] = c.job.name;
  out["kind"] = "change-feed";
  out["store"] = std::string{enum_name(spec.leases.store)};
  if (spec.leases.store == lease_store_kind::file) {
    out["file"] = lease_file_of(c).string();
  } else {
    auto t = cosmos_target_of(c);
    out["account"] = spec.leases.container.account;
    out["database"] = t.database;
    out["container"] = t.container;
    out["prefix"] = t.prefix;
  }
  out["start_from"] = to_string(spec.source.start_from);
  out["leases"] = json::array();
  for (auto& l : leases)
    out["leases"].push_back(json::parse(to_json(l, !l.etag.empty())));
  return out;
}

int show_change_feed(const job_context& c) {
  auto leases = read_leases(c);
  if (!leases) {
    fail(c.opts, "job '" + c.job.name + "': " + error_text(leases.error()));
    return exit_code::failed;
  }
  if (c.opts.json)
    std::printf("%s\n", leases_json(c, *leases).dump(2).c_str());
  else
    print_leases(c, *leases);
  return exit_code::ok;
}

// ---- bulk-upsert ----------------------------------------------------------------------------

fs::path bulk_file_of(const job_context& c) {
  return bulk_checkpoint_path(c.state_dir, c.job.name);
}

void print_bulk(const job_context& c, const bulk_checkpoint& cp) {
  std::printf("job:        %s (bulk-upsert)\n", c.job.name.c_str());
  std::printf("checkpoint: %s\n", bulk_file_of(c).string().c_str());
  if (cp.reading)
    std::printf("reading:    format %s, compression %s, id_path %s\n", cp.reading->format.c_str(),
                cp.reading->compression.c_str(),
                cp.reading->generate_id ? "(generated)" : cp.reading->id_path.c_str());
  if (cp.files.empty()) {
    std::printf("no input files recorded\n");
    return;
  }
  std::vector<row> rows;
  for (auto& f : cp.files)
    rows.push_back({f.path, std::to_string(f.settled.offset), std::to_string(f.settled.line),
                    f.finished ? "yes" : "no", std::to_string(f.fingerprint.size)});
  std::printf("\n");
  print_table({"FILE", "SETTLED BYTES", "LINE", "FINISHED", "SIZE"}, rows);
}

json bulk_json(const job_context& c, const std::optional<bulk_checkpoint>& cp) {
  json out;
  out["job"] = c.job.name;
  out["kind"] = "bulk-upsert";
  out["file"] = bulk_file_of(c).string();
  out["exists"] = cp.has_value();
  out["files"] = json::array();
  if (cp)
    for (auto& f : cp->files)
      out["files"].push_back({{"path", f.path},
                              {"offset", f.settled.offset},
                              {"line", f.settled.line},
                              {"finished", f.finished},
                              {"size", f.fingerprint.size},
                              {"mtime_ns", f.fingerprint.mtime_ns}});
  return out;
}

int show_bulk(const job_context& c) {
  auto file = bulk_file_of(c);
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (c.opts.json)
      std::printf("%s\n", bulk_json(c, std::nullopt).dump(2).c_str());
    else
      std::printf("job:        %s (bulk-upsert)\ncheckpoint: none (%s does not exist): the next "
                  "run reads every input file from the start\n",
                  c.job.name.c_str(), file.string().c_str());
    return exit_code::ok;
  }
  auto cp = load_bulk_checkpoint(file);
  if (!cp) {
    fail(c.opts, error_text(cp.error()));
    return exit_code::failed;
  }
  if (c.opts.json)
    std::printf("%s\n", bulk_json(c, *cp).dump(2).c_str());
  else
    print_bulk(c, *cp);
  return exit_code::ok;
}

// ---- reset ----------------------------------------------------------------------------------

// Asks on a terminal; without one, --yes is required. `rc` is the exit code when it says no.
bool confirmed(const checkpoint_options& opts, const std::string& what, int& rc) {
  if (opts.yes)
    return true;
  if (::isatty(STDIN_FILENO) == 0) {
    fail(opts,
         "not resetting without confirmation: stdin is not a terminal; pass --yes to " + what);
    rc = exit_code::bad_input;
    return false;
  }
  std::fprintf(stderr, "%s? [y/N] ", what.c_str());
  std::fflush(stderr);
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") {
    return true;
  }
  std::fprintf(stderr, "nothing changed\n");
  rc = exit_code::failed;
  return false;
}

// A lease held by an instance that renewed it within the expiration, if any.
const lease* live_lease(const std::vector<lease>& leases, duration expiration) {
  auto now = lease_now();
  for (auto& l : leases)
    if (!l.expired(now, expiration))
      return &l;
  return nullptr;
}

// "beginning", an RFC 3339 time, or for now the time of the reset, `at`.
std::string recorded_start(const start_position& to, utc_time at) {
  return to.kind == start_position::now ? format_rfc3339(at) : to_string(to);
}

int reset_change_feed(const job_context& c, const start_position& to) {
  auto& spec = feed_of(c);
  auto leases = read_leases(c);
  if (!leases) {
    auto hint = spec.leases.store == lease_store_kind::file
                    ? "; to start over from the spec's start_from (" +
                          to_string(spec.source.start_from) + "), delete " +
                          lease_file_of(c).string()
                    : std::string{};
    fail(c.opts, "job '" + c.job.name + "': " + error_text(leases.error()) + hint);
    return exit_code::failed;
  }
  if (leases->empty()) {
    std::printf("job '%s' has no leases in %s: nothing to reset; its first run starts from the "
                "spec's start_from (%s)\n",
                c.job.name.c_str(), where_leases_are(c).c_str(),
                to_string(spec.source.start_from).c_str());
    return exit_code::ok;
  }
  if (spec.leases.store == lease_store_kind::cosmos)
    if (auto* l = live_lease(*leases, spec.leases.expiration)) {
      fail(c.opts, "lease " + l->range.token + " of job '" + c.job.name + "' is owned by " +
                       l->owner + " (updated " + format_rfc3339(l->timestamp) + ", expiration " +
                       format_duration(spec.leases.expiration) +
                       "): an instance of the job is running; stop every instance first");
      return exit_code::failed;
    }
  print_leases(c, *leases);
  std::printf("\n");
  int rc = exit_code::ok;
  auto what =
      "reset " + std::to_string(leases->size()) + " leases of job '" + c.job.name +
      "' to start from " +
      (to.kind == start_position::now ? "now (recorded as the time of the reset)" : to_string(to)) +
      " (their continuations are dropped)";
  if (!confirmed(c.opts, what, rc))
    return rc;
  auto now = lease_now();
  auto target = recorded_start(to, now);
  auto reset = *leases;
  for (auto& l : reset) {
    l.owner.clear();
    l.continuation.clear();
    l.start_from = target;
    l.timestamp = now;
  }
  if (spec.leases.store == lease_store_kind::file) {
    auto file = load_lease_file(lease_file_of(c));
    if (!file) {
      fail(c.opts, error_text(file.error()));
      return exit_code::failed;
    }
    for (auto& l : reset)
      l.etag = std::to_string(++file->etag_counter);
    file->leases = reset;
    if (auto err = save_lease_file(lease_file_of(c), *file)) {
      fail(c.opts, error_text(err));
      return exit_code::failed;
    }
  } else {
    auto n = replace_cosmos_leases(cosmos_target_of(c), reset);
    if (!n) {
      fail(c.opts, "job '" + c.job.name + "': " + error_text(n.error()));
      return exit_code::failed;
    }
  }
  std::printf("reset %zu leases of job '%s': every range starts from %s at its next run\n",
              reset.size(), c.job.name.c_str(), target.c_str());
  return exit_code::ok;
}

int reset_bulk(const job_context& c) {
  auto file = bulk_file_of(c);
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    std::printf("job '%s' has no checkpoint (%s does not exist): nothing to reset; its next run "
                "reads every input file from the start\n",
                c.job.name.c_str(), file.string().c_str());
    return exit_code::ok;
  }
  if (auto cp = load_bulk_checkpoint(file))
    print_bulk(c, *cp);
  else
    std::printf("%s (it is removed all the same)\n", error_text(cp.error()).c_str());
  std::printf("\n");
  int rc = exit_code::ok;
  if (!confirmed(c.opts,
                 "remove " + file.string() + " so that job '" + c.job.name +
                     "' reads every input file from the start",
                 rc))
    return rc;
  if (!fs::remove(file, ec) && ec) {
    fail(c.opts, "cannot remove " + file.string() + ": " + ec.message());
    return exit_code::failed;
  }
  std::printf("removed %s: job '%s' reads every input file from the start at its next run\n",
              file.string().c_str(), c.job.name.c_str());
  return exit_code::ok;
}

int reset(const job_context& c) {
  // Checked before the lock: a refusal for bad usage should not depend on whether it runs.
  // run_checkpoint has checked that --to parses.
  auto to = parse_start_position(c.opts.to);
  if (c.job.kind() == job_kind::bulk_upsert && to->kind != start_position::beginning) {
    fail(c.opts, "job '" + c.job.name +
                     "' is a bulk-upsert job: its checkpoint holds input file offsets, not "
                     "times; only --to beginning is possible, not '" +
                     c.opts.to + "'");
    return exit_code::bad_input;
  }
  auto lock = try_lock_job(c.state_dir, c.job.name);
  if (!lock) {
    auto text = error_text(lock.error());
    if (lock.error().code() == static_cast<uint8_t>(ec::conflict))
      text += "; stop it before resetting its checkpoints";
    fail(c.opts, text);
    return exit_code::failed;
  }
  if (c.job.kind() == job_kind::bulk_upsert)
    return reset_bulk(c);
  return reset_change_feed(c, *to);
}

std::string job_names(const std::vector<job_spec>& jobs) {
  std::string out;
  for (auto& j : jobs) {
    if (!out.empty())
      out += ", ";
    out += j.name;
  }
  return out.empty() ? "none" : out;
}

} // namespace

int run_checkpoint(const checkpoint_options& opts) {
  if (opts.action == "reset") {
    if (auto pos = parse_start_position(opts.to); !pos) {
      fail(opts, "--to: " + error_text(pos.error()));
      return exit_code::bad_input;
    }
  }
  auto ctx = expansion_context::from_process();
  // Outside systemd there are no credentials; only a cosmos lease store needs its account key.
  ctx.defer_missing_credentials = true;
  auto config = load_daemon_config(opts.config, ctx);
  for (auto& d : config.diags)
    if (d.level == severity::error)
      std::fprintf(stderr, "%s\n", render(d).c_str());
  if (!config.ok())
    return exit_code::bad_input;
  auto jobs = load_configured_jobs(*config.value, ctx);
  for (auto& d : jobs.diags)
    if (d.level == severity::error)
      std::fprintf(stderr, "%s\n", render(d).c_str());
  if (!jobs.ok()) {
    fail(opts, "the jobs in " + config.value->resolve_path(config.value->jobs_dir) +
                   " do not load (see above)");
    return exit_code::bad_input;
  }
  auto i = std::find_if(jobs.value->begin(), jobs.value->end(),
                        [&](const job_spec& j) { return j.name == opts.job; });
  if (i == jobs.value->end()) {
    fail(opts, "no job '" + opts.job + "' in " +
                   config.value->resolve_path(config.value->jobs_dir) +
                   " (jobs: " + job_names(*jobs.value) + ")");
    return exit_code::bad_input;
  }
  if (i->kind() == job_kind::key_backup) {
    fail(opts, "job '" + opts.job +
                   "' is a key-backup job: it keeps no checkpoints (every run "
                   "writes a new backup set)");
    return exit_code::bad_input;
  }
  job_context c{opts, *config.value, *i, config.value->resolve_path(config.value->state_dir)};
  if (opts.action == "reset")
    return reset(c);
  return i->kind() == job_kind::bulk_upsert ? show_bulk(c) : show_change_feed(c);
}

} // namespace bulkd
