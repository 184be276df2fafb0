#include "jobs/cron.hpp"
#include "jobs/error_text.hpp"
#include "jobs/spec_loader.hpp"
#include "jobs/spec_readers.hpp"
#include "jobs/yaml_documents.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

namespace bulkd {

namespace {

std::string where(const source_location& loc) {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

constexpr const char* no_schedule_reason =
    "schedule is not used by change-feed jobs (they run continuously)";

std::optional<job_spec> read_job(yaml::reader& r, const YAML::Node& doc, const std::string& prefix,
                                 const daemon_config* config) {
  auto errors_before = r.error_count();
  yaml::map_reader root{r, doc, prefix};
  if (!root.ok())
    return std::nullopt;
  job_spec job;
  job.origin = {r.file(), doc.Mark().line + 1, doc.Mark().column + 1};
  if (auto n = root.require("name"); n.IsDefined()) {
    job.origin.line = n.Mark().line + 1;
    job.origin.column = n.Mark().column + 1;
    if (auto v = r.string(n, root.path("name"))) {
      if (valid_job_name(*v))
        job.name = *v;
      else
        r.error(n, root.path("name"),
                "invalid job name " + r.quote(n) +
                    ": use letters, digits, '.', '_' and '-', starting with a letter or digit, "
                    "no '..', at most 128 characters (it becomes part of file names)");
    }
  }
  std::optional<job_kind> kind;
  if (auto n = root.require("kind"); n.IsDefined())
    kind = r.enumeration<job_kind>(n, root.path("kind"), "kind");
  if (auto n = root.get("schedule"); n.IsDefined() && kind != job_kind::change_feed) {
    if (auto v = r.string(n, root.path("schedule"))) {
      if (auto s = cron_schedule::parse(*v))
        job.schedule = *v;
      else
        r.error(n, root.path("schedule"),
                "invalid schedule " + r.quote(n) + ": " + error_text(s.error()));
    }
  }
  if (!kind) {
    // Without a kind the other keys cannot be checked; only the errors above are reported.
    return std::nullopt;
  }
  switch (*kind) {
  case job_kind::bulk_upsert:
    job.body = bulk_upsert_spec{};
    detail::read_bulk_upsert(root, std::get<bulk_upsert_spec>(job.body), config);
    break;
  case job_kind::change_feed:
    root.reject("schedule", no_schedule_reason);
    job.body = change_feed_spec{};
    detail::read_change_feed(root, std::get<change_feed_spec>(job.body), config);
    break;
  case job_kind::key_backup:
    job.body = key_backup_spec{};
    detail::read_key_backup(root, std::get<key_backup_spec>(job.body), config);
    break;
  }
  root.finish("for kind " + std::string{enum_name(*kind)});
  if (r.error_count() != errors_before)
    return std::nullopt;
  return job;
}

// Reports the second and later definitions of a name, naming the first.
void check_duplicates(const std::vector<job_spec>& jobs, diagnostics& out) {
  std::map<std::string, const job_spec*> seen;
  for (auto& job : jobs) {
    auto [it, fresh] = seen.emplace(job.name, &job);
    if (!fresh)
      out.push_back({job.origin.file, job.origin.line, job.origin.column, "name",
                     "duplicate job name '" + job.name + "' (also defined at " +
                         where(it->second->origin) + ")",
                     severity::error});
  }
}

} // namespace

load_result<std::vector<job_spec>> parse_job_file(std::string_view yaml, const std::string& file,
                                                  const daemon_config* config,
                                                  const expansion_context& ctx) {
  load_result<std::vector<job_spec>> result;
  std::vector<job_spec> jobs;
  try {
    auto docs = yaml::load_documents(yaml);
    std::vector<YAML::Node> present;
    for (auto& d : docs)
      if (!d.IsNull())
        present.push_back(d);
    yaml::reader r{file, ctx, result.diags};
    if (present.empty())
      result.diags.push_back({file, 0, 0, {}, "the file holds no job", severity::error});
    for (size_t i = 0; i < present.size(); ++i) {
      auto prefix = present.size() > 1 ? "jobs[" + std::to_string(i) + "]" : std::string{};
      if (auto job = read_job(r, present[i], prefix, config))
        jobs.push_back(std::move(*job));
    }
  } catch (const YAML::Exception& e) {
    result.diags.push_back(detail::syntax_error(file, e));
  }
  check_duplicates(jobs, result.diags);
  detail::sort_by_position(result.diags);
  if (!has_errors(result.diags))
    result.value = std::move(jobs);
  return result;
}

load_result<std::vector<job_spec>>
load_job_file(const std::string& path, const daemon_config* config, const expansion_context& ctx) {
  load_result<std::vector<job_spec>> result;
  auto text = detail::read_spec_file(path, result.diags);
  if (!text)
    return result;
  return parse_job_file(*text, path, config, ctx);
}

load_result<std::vector<job_spec>>
load_jobs_dir(const std::string& dir, const daemon_config& config, const expansion_context& ctx) {
  return load_jobs_dir(dir, &config, ctx);
}

load_result<std::vector<job_spec>>
load_jobs_dir(const std::string& dir, const daemon_config* config, const expansion_context& ctx) {
  namespace fs = std::filesystem;
  load_result<std::vector<job_spec>> result;
  std::vector<fs::path> files;
  std::error_code err;
  for (fs::directory_iterator it{dir, err}, end; !err && it != end; it.increment(err)) {
    auto ext = it->path().extension();
    if ((ext == ".yaml" || ext == ".yml") && !it->is_directory())
      files.push_back(it->path());
  }
  if (err) {
    result.diags.push_back(
        {dir, 0, 0, {}, "cannot read the jobs directory: " + err.message(), severity::error});
    return result;
  }
  std::sort(files.begin(), files.end());
  std::vector<job_spec> jobs;
  for (auto& f : files) {
    auto one = load_job_file(f.string(), config, ctx);
    result.diags.insert(result.diags.end(), one.diags.begin(), one.diags.end());
    if (one.value)
      for (auto& j : *one.value)
        jobs.push_back(std::move(j));
  }
  check_duplicates(jobs, result.diags);
  if (!has_errors(result.diags))
    result.value = std::move(jobs);
  return result;
}

load_result<std::vector<job_spec>> load_configured_jobs(const daemon_config& config,
                                                        const expansion_context& ctx) {
  return load_jobs_dir(config.resolve_path(config.jobs_dir), config, ctx);
}

spec_file_kind classify_spec_file(const std::string& path) {
  std::error_code err;
  if (std::filesystem::is_directory(path, err))
    return spec_file_kind::jobs_dir;
  diagnostics ignored;
  auto text = detail::read_spec_file(path, ignored);
  if (!text)
    return spec_file_kind::unreadable;
  try {
    auto docs = yaml::load_documents(*text);
    size_t present = 0;
    bool has_kind = false;
    for (auto& d : docs)
      if (!d.IsNull()) {
        ++present;
        has_kind = has_kind || (d.IsMap() && d["kind"].IsDefined());
      }
    return present > 1 || has_kind ? spec_file_kind::jobs : spec_file_kind::daemon_config;
  } catch (const YAML::Exception&) {
    // Not YAML: guess from the text so that the right loader reports the syntax error.
    bool kind_line = text->rfind("kind:", 0) == 0 || text->find("\nkind:") != std::string::npos;
    return kind_line ? spec_file_kind::jobs : spec_file_kind::daemon_config;
  }
}

} // namespace bulkd
