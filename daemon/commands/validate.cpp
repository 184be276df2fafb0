#include "daemon/commands/options.hpp"
#include "daemon/exit_code.hpp"
#include "jobs/change_feed/lease_file.hpp"
#include "jobs/change_feed/lease_start_check.hpp"
#include "jobs/error_text.hpp"
#include "jobs/spec_loader.hpp"
#include "jobs/spec_printer.hpp"

#include <cstdio>
#include <filesystem>
#include <optional>

namespace bulkd {

namespace {

void print_diagnostics(const diagnostics& ds) {
  for (auto& d : ds)
    std::fprintf(stderr, "%s\n", render(d).c_str());
}

// Change-feed jobs with store: file whose leases exist already: a start_from they contradict
// has no effect. Cosmos lease stores are not read (validate does not reach the network).
diagnostics lease_warnings(const std::vector<job_spec>& jobs, const daemon_config& config) {
  diagnostics out;
  auto state_dir = config.resolve_path(config.state_dir);
  for (auto& job : jobs) {
    auto* feed = std::get_if<change_feed_spec>(&job.body);
    if (feed == nullptr || feed->leases.store != lease_store_kind::file)
      continue;
    auto file = lease_file_path(state_dir, job.name);
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
      continue;
    auto loaded = load_lease_file(file);
    std::string message;
    if (!loaded)
      message = error_text(loaded.error()) + ": `bulkd run` cannot start the job";
    else
      message =
          start_from_warning(job.name, feed->source.start_from, loaded->leases, file.string());
    if (!message.empty())
      out.push_back({job.origin.file, job.origin.line, job.origin.column,
                     loaded ? "source.start_from" : "leases", message, severity::warning});
  }
  return out;
}

} // namespace

int run_validate(const validate_options& opts) {
  // Outside systemd there are no credentials: check everything else and say what was skipped.
  auto ctx = expansion_context::from_process();
  ctx.defer_missing_credentials = true;
  size_t errors = 0;
  size_t warnings = 0;
  size_t jobs = 0;
  auto tally = [&](const diagnostics& ds) {
    print_diagnostics(ds);
    errors += count(ds, severity::error);
    warnings += count(ds, severity::warning);
  };

  std::optional<daemon_config> reference;
  bool reference_failed = false;
  if (!opts.config.empty()) {
    auto cfg = load_daemon_config(opts.config, ctx);
    tally(cfg.diags);
    reference = std::move(cfg.value);
    reference_failed = !reference;
  }

  // Daemon configs first, so that the job files can be checked against one of them.
  std::vector<std::string> job_files;
  std::vector<std::string> job_dirs;
  std::string printed;
  auto emit = [&](const std::string& file, const std::string& yaml) {
    if (!opts.print)
      return;
    if (!printed.empty())
      printed += "---\n";
    printed += "# " + file + "\n" + yaml;
  };
  for (auto& file : opts.files) {
    switch (classify_spec_file(file)) {
    case spec_file_kind::jobs:
      job_files.push_back(file);
      break;
    case spec_file_kind::jobs_dir:
      job_dirs.push_back(file);
      break;
    case spec_file_kind::unreadable:
      tally({{file, 0, 0, {}, "cannot open file", severity::error}});
      break;
    case spec_file_kind::daemon_config: {
      auto cfg = load_daemon_config(file, ctx);
      tally(cfg.diags);
      if (cfg.value) {
        emit(file, print_daemon_config(*cfg.value));
        // A daemon config is checked with the jobs the daemon would load from it, so that
        // `ExecReload=bulkd validate ... bulkd.yaml` refuses a broken jobs directory too.
        auto dir = cfg.value->resolve_path(cfg.value->jobs_dir);
        if (std::filesystem::is_directory(dir))
          job_dirs.push_back(dir);
        else
          tally({{file, 0, 0, {}, "jobs_dir " + dir + " does not exist; no jobs checked",
                  severity::warning}});
        if (!reference && opts.config.empty())
          reference = std::move(cfg.value);
      } else if (opts.config.empty()) {
        reference_failed = true;
      }
      break;
    }
    }
  }
  if ((!job_files.empty() || !job_dirs.empty()) && !reference) {
    auto why = reference_failed ? "the daemon config did not load"
                                : "no daemon config given (use --config bulkd.yaml)";
    tally({{{},
            0,
            0,
            {},
            std::string{"account and vault references were not checked: "} + why,
            severity::warning}});
  }
  for (auto& file : job_files) {
    auto loaded = load_job_file(file, reference ? &*reference : nullptr, ctx);
    tally(loaded.diags);
    if (loaded.value) {
      if (reference)
        tally(lease_warnings(*loaded.value, *reference));
      jobs += loaded.value->size();
      emit(file, print_jobs(*loaded.value));
    }
  }
  for (auto& dir : job_dirs) {
    auto loaded = load_jobs_dir(dir, reference ? &*reference : nullptr, ctx);
    tally(loaded.diags);
    if (loaded.value) {
      if (reference)
        tally(lease_warnings(*loaded.value, *reference));
      jobs += loaded.value->size();
      emit(dir, print_jobs(*loaded.value));
    }
  }
  if (opts.print && !printed.empty())
    std::fputs(printed.c_str(), stdout);

  auto plural = [](size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  std::fprintf(stderr, "%s: %s, %s loaded; %s, %s\n", errors ? "invalid" : "valid",
               plural(opts.files.size(), "file").c_str(), plural(jobs, "job").c_str(),
               plural(errors, "error").c_str(), plural(warnings, "warning").c_str());
  return errors ? exit_code::failed : exit_code::ok;
}

} // namespace bulkd
