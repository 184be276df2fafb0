// `bulkd jobs | status [JOB] | trigger JOB | cancel JOB|RUN`: clients of the daemon's /v1 admin
// API (daemon/admin_api.hpp) that print tables (or the API's JSON with --json).
// Exit codes: 0 done, 1 the API refused (unknown job, a run going already, nothing to cancel),
// 2 bad usage or config, 4 the API cannot be reached or answered something unexpected.

#include "daemon/admin_server.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/exit_code.hpp"
#include "daemon/text_table.hpp"
#include "jobs/spec_loader.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bulkd {

namespace {

using nlohmann::json;

struct api_client {
  std::string base;
  std::string token;
  std::unique_ptr<httplib::Client> http;
};

struct api_answer {
  int status = 0;
  json body;
};

/// The value as a table cell: strings bare, null as "-", numbers as JSON.
std::string cell(const json& v) {
  if (v.is_null())
    return "-";
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f", v.get<double>());
    return buf;
  }
  return v.dump();
}

std::string last_run_cell(const json& last) {
  if (last.is_null())
    return "-";
  std::string out = std::to_string(last.value("id", 0)) + " " + cell(last["state"]);
  if (last.contains("ended") && !last["ended"].is_null())
    out += " " + cell(last["ended"]);
  return out;
}

std::string state_cell(const json& job) {
  auto state = cell(job["state"]);
  if (!job["current_run"].is_null())
    state += " (run " + cell(job["current_run"]) + ")";
  if (!job.value("runnable", true))
    state = "not runnable";
  return state;
}

/// "key=value" for the scalar members of a counts object.
std::string counts_cell(const json& counts) {
  std::string out;
  if (!counts.is_object())
    return "-";
  for (auto& [k, v] : counts.items()) {
    if (v.is_object() || v.is_array())
      continue;
    out += (out.empty() ? "" : " ") + k + "=" + cell(v);
  }
  return out.empty() ? "-" : out;
}

void print_jobs(const json& body) {
  std::vector<std::vector<std::string>> rows;
  for (auto& j : body["jobs"])
    rows.push_back({cell(j["name"]), cell(j["kind"]), cell(j["mode"]),
                    j["schedule"].is_null() ? "-" : cell(j["schedule"]), state_cell(j),
                    last_run_cell(j["last_run"]), cell(j["next_fire"]),
                    std::to_string(j.value("skipped_fires", 0))});
  if (rows.empty()) {
    std::printf("no jobs\n");
    return;
  }
  print_table({"NAME", "KIND", "MODE", "SCHEDULE", "STATE", "LAST RUN", "NEXT FIRE", "SKIPPED"},
              rows);
}

void print_runs(const json& runs) {
  std::vector<std::vector<std::string>> rows;
  for (auto& r : runs)
    rows.push_back({cell(r["id"]), cell(r["state"]), cell(r["trigger"]), cell(r["started"]),
                    cell(r["ended"]), cell(r["seconds"]), cell(r["error"])});
  print_table({"RUN", "STATE", "TRIGGER", "STARTED", "ENDED", "SECONDS", "ERROR"}, rows, "  ");
}

/// The per-range table of a change-feed run: lease, position, lag ("unknown" before the first
/// checkpoint, never a made-up number).
void print_ranges(const json& counts) {
  auto& ranges = counts["ranges"];
  if (!ranges.is_array() || ranges.empty())
    return;
  auto lag = [](const json& v, const char* unit) {
    return v.is_number() ? std::to_string(v.get<int64_t>()) + unit : std::string{"unknown"};
  };
  std::vector<std::vector<std::string>> rows;
  for (auto& r : ranges)
    rows.push_back({cell(r["range"]), r.value("reading", false) ? "reading" : "-",
                    std::to_string(r.value("delivered", uint64_t{0})), lag(r["lag_items"], ""),
                    lag(r["lag_seconds"], " s"), cell(r["continuation"])});
  print_table({"RANGE", "READER", "DELIVERED", "LAG ITEMS", "LAG", "CONTINUATION"}, rows, "  ");
}

void print_job(const json& j) {
  auto field = [](const char* name, const std::string& value) {
    std::printf("%-12s %s\n", name, value.c_str());
  };
  field("job", cell(j["name"]));
  field("kind", cell(j["kind"]));
  field("mode", cell(j["mode"]));
  field("schedule", j["schedule"].is_null() ? "-" : cell(j["schedule"]));
  field("state", state_cell(j));
  field("next fire", cell(j["next_fire"]));
  field("skipped", std::to_string(j.value("skipped_fires", 0)) + " fire(s)");
  field("spec", counts_cell(j["spec"]));
  field("origin", cell(j["origin"]));
  if (auto& cur = j["current"]; cur.is_object()) {
    field("run", cell(cur["id"]) + " " + cell(cur["state"]) + " since " + cell(cur["started"]) +
                     " (" + cell(cur["trigger"]) + ")");
    field("counts", counts_cell(cur["counts"]));
    print_ranges(cur["counts"]);
  }
  auto& last = j["last_runs"];
  if (last.is_array() && !last.empty()) {
    std::printf("last runs:\n");
    print_runs(last);
    auto& newest = last.front();
    std::printf("last counts: %s\n", counts_cell(newest["counts"]).c_str());
  } else {
    std::printf("last runs:   none\n");
  }
}

/// Fills in the URL and token from the config when asked; returns an exit code on failure.
std::optional<int> resolve_target(admin_options& opts) {
  if (opts.config.empty())
    return std::nullopt;
  auto config = load_daemon_config(opts.config);
  for (auto& d : config.diags)
    std::fprintf(stderr, "%s\n", render(d).c_str());
  if (!config.ok())
    return exit_code::bad_input;
  auto& admin = config.value->admin;
  if (opts.url == default_admin_url) {
    auto host = admin.host == "0.0.0.0" ? std::string{"127.0.0.1"}
                : admin.host == "::"    ? std::string{"::1"}
                                        : admin.host;
    if (host.find(':') != std::string::npos)
      host = "[" + host + "]";
    opts.url = "http://" + host + ":" + std::to_string(admin.port);
  }
  if (opts.token.empty())
    opts.token = std::string{admin.token.reveal()};
  return std::nullopt;
}

std::optional<api_answer> call(api_client& api, const std::string& method,
                               const std::string& path) {
  auto res = method == "GET" ? api.http->Get(path.c_str())
                             : api.http->Post(path.c_str(), "", "application/json");
  if (!res) {
    std::fprintf(stderr, "bulkd: cannot reach the admin API at %s: %s\n", api.base.c_str(),
                 httplib::to_string(res.error()).c_str());
    return std::nullopt;
  }
  api_answer out;
  out.status = res->status;
  out.body = json::parse(res->body, nullptr, false);
  if (out.body.is_discarded()) {
    std::fprintf(stderr, "bulkd: %s %s answered %d without JSON: %s\n", method.c_str(),
                 path.c_str(), res->status, res->body.substr(0, 200).c_str());
    return std::nullopt;
  }
  return out;
}

/// Prints the API's error and returns the exit code for it.
int refused(const api_answer& a, const std::string& verb) {
  auto message =
      a.body.is_object() && a.body.contains("error") ? cell(a.body["error"]) : a.body.dump();
  std::fprintf(stderr, "bulkd %s: %s (HTTP %d)\n", verb.c_str(), message.c_str(), a.status);
  if (a.status == 401)
    std::fprintf(stderr, "  give the token with --token, BULKD_ADMIN_TOKEN or --config\n");
  return a.status >= 500 && a.status != 501 ? exit_code::unavailable : exit_code::failed;
}

bool plain_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

int run_admin_verb(const std::string& verb, const admin_options& given) {
  auto opts = given;
  if (auto rc = resolve_target(opts))
    return *rc;
  if (!opts.job.empty() && !plain_name(opts.job)) {
    std::fprintf(stderr, "bulkd %s: '%s' is not a job name or run id\n", verb.c_str(),
                 opts.job.c_str());
    return exit_code::bad_input;
  }
  api_client api;
  api.base = opts.url;
  while (!api.base.empty() && api.base.back() == '/')
    api.base.pop_back();
  api.http = std::make_unique<httplib::Client>(api.base);
  if (!api.http->is_valid()) {
    std::fprintf(stderr, "bulkd %s: --admin %s is not a valid URL\n", verb.c_str(),
                 opts.url.c_str());
    return exit_code::bad_input;
  }
  api.http->set_connection_timeout(5, 0);
  api.http->set_read_timeout(30, 0);
  if (!opts.token.empty())
    api.http->set_bearer_token_auth(opts.token.c_str());

  auto print_json = [](const json& j) { std::printf("%s\n", j.dump(2).c_str()); };

  if (verb == "jobs" || (verb == "status" && opts.job.empty())) {
    auto a = call(api, "GET", "/v1/jobs");
    if (!a)
      return exit_code::unavailable;
    if (a->status != 200)
      return refused(*a, verb);
    opts.json ? print_json(a->body) : print_jobs(a->body);
    return exit_code::ok;
  }
  if (verb == "status") {
    auto a = call(api, "GET", "/v1/jobs/" + opts.job);
    if (!a)
      return exit_code::unavailable;
    if (a->status != 200)
      return refused(*a, verb);
    opts.json ? print_json(a->body) : print_job(a->body);
    return exit_code::ok;
  }
  if (verb == "trigger") {
    auto a = call(api, "POST", "/v1/jobs/" + opts.job + "/run");
    if (!a)
      return exit_code::unavailable;
    if (a->status != 202)
      return refused(*a, verb);
    if (opts.json)
      print_json(a->body);
    else
      std::printf("job %s: run %s started (bulkd status %s)\n", opts.job.c_str(),
                  cell(a->body["run"]).c_str(), opts.job.c_str());
    return exit_code::ok;
  }
  if (verb == "cancel") {
    auto a = call(api, "POST", "/v1/jobs/" + opts.job + "/cancel");
    if (a && a->status == 404 && all_digits(opts.job))
      a = call(api, "POST", "/v1/runs/" + opts.job + "/cancel");
    if (!a)
      return exit_code::unavailable;
    if (a->status != 202)
      return refused(*a, verb);
    if (opts.json)
      print_json(a->body);
    else
      std::printf("job %s: cancelling run %s (it drains and writes its checkpoint first)\n",
                  cell(a->body["job"]).c_str(), cell(a->body["run"]).c_str());
    return exit_code::ok;
  }
  std::fprintf(stderr, "bulkd: unknown admin verb '%s'\n", verb.c_str());
  return exit_code::bad_input;
}

} // namespace bulkd
