#include "daemon/admin_api.hpp"

#include "daemon/admin_server.hpp"
#include "daemon/job_runner.hpp"
#include "jobs/timestamp.hpp"

#include <caf/error.hpp>
#include <caf/message.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <charconv>

namespace bulkd {

namespace {

using nlohmann::json;

const char* json_type = "application/json";

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

json time_json(const std::optional<job_run::time_point>& t) {
  if (!t)
    return nullptr;
  return format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(*t));
}

/// The error's message without the "category: " head.
std::string message_of(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return render(err);
}

int status_of(const caf::error& err) {
  if (err.category() != error_category())
    return 500;
  switch (static_cast<ec>(err.code())) {
  case ec::not_found:
    return 404;
  case ec::conflict:
    return 409;
  case ec::not_implemented:
    return 501;
  case ec::shutting_down:
    return 503;
  case ec::invalid_argument:
    return 400;
  default:
    return 500;
  }
}

void write_error(httplib::Response& res, const caf::error& err) {
  write_json_error(res, status_of(err), message_of(err));
}

json summary(const job_view& v) {
  json j{{"name", v.name},
         {"kind", enum_name(v.kind)},
         {"mode", v.mode},
         {"schedule", nullptr},
         {"runnable", v.runnable},
         {"state", v.current ? std::string{enum_name(v.current->state)} : std::string{"idle"}},
         {"current_run", nullptr},
         {"last_run", nullptr},
         {"next_fire", time_json(v.next_fire)},
         {"skipped_fires", v.skipped_fires},
         {"origin", v.origin}};
  if (!v.schedule.empty())
    j["schedule"] = v.schedule;
  if (v.current)
    j["current_run"] = v.current->id;
  if (!v.last_runs.empty()) {
    auto& last = v.last_runs.front();
    j["last_run"] = {{"id", last.id},
                     {"state", enum_name(last.state)},
                     {"ended", time_json(last.ended)},
                     {"error", last.error.empty() ? json(nullptr) : json(last.error)}};
  }
  return j;
}

json spec_json(const job_spec& spec) {
  return std::visit(
      [](const auto& body) -> json {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, bulk_upsert_spec>) {
          return {{"source", body.source.path},
                  {"format", enum_name(body.source.format)},
                  {"target",
                   body.target.account + "/" + body.target.database + "/" + body.target.container},
                  {"operation", enum_name(body.operation)}};
        } else if constexpr (std::is_same_v<T, key_backup_spec>) {
          return {{"vault", body.vault},
                  {"destination", body.destination.path},
                  {"encrypted", !body.destination.encryption_key.empty()}};
        } else {
          return {{"source",
                   body.source.account + "/" + body.source.database + "/" + body.source.container},
                  {"sink", sink_type_name(body.sink)},
                  {"leases", enum_name(body.leases.store)}};
        }
      },
      spec.body);
}

json run_json(const job_runner& runner, const job_run& run) {
  std::optional<std::string> live;
  if (run.state == run_state::running)
    live = runner.progress(run.id);
  auto j = json::parse(to_json(run, live ? std::string_view{*live} : std::string_view{}));
  if (run.state == run_state::running)
    j["live"] = live.has_value(); // false: the counts are not known while it runs
  return j;
}

std::optional<uint64_t> parse_id(const std::string& text) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return id;
}

caf::error add_all(admin_server& server, job_runner& runner) {
  using req_t = httplib::Request;
  using res_t = httplib::Response;
  if (auto err =
          server.add_route(http_method::get, "/v1/jobs", [&runner](const req_t&, res_t& res) {
            json list = json::array();
            for (auto& v : runner.jobs())
              list.push_back(summary(v));
            res.set_content(dump(json{{"jobs", std::move(list)}}), json_type);
          }))
    return err;
  if (auto err = server.add_route(
          http_method::get, R"(/v1/jobs/([^/]+))", [&runner](const req_t& req, res_t& res) {
            auto name = req.matches[1].str();
            auto v = runner.job(name);
            if (!v)
              return write_json_error(res, 404, "no job named '" + name + "'");
            auto j = summary(*v);
            j["spec"] = spec_json(v->spec);
            j["current"] = v->current ? run_json(runner, *v->current) : json(nullptr);
            json last = json::array();
            for (auto& r : v->last_runs)
              last.push_back(json::parse(to_json(r)));
            j["last_runs"] = std::move(last);
            res.set_content(dump(j), json_type);
          }))
    return err;
  if (auto err = server.add_route(
          http_method::post, R"(/v1/jobs/([^/]+)/run)", [&runner](const req_t& req, res_t& res) {
            auto name = req.matches[1].str();
            auto id = runner.trigger(name, run_trigger::api);
            if (!id)
              return write_error(res, id.error());
            res.status = 202;
            res.set_header("Location", "/v1/runs/" + std::to_string(*id));
            res.set_content(dump({{"run", *id},
                                  {"job", name},
                                  {"state", "pending"},
                                  {"url", "/v1/runs/" + std::to_string(*id)}}),
                            json_type);
          }))
    return err;
  if (auto err = server.add_route(
          http_method::post, R"(/v1/jobs/([^/]+)/cancel)", [&runner](const req_t& req, res_t& res) {
            auto name = req.matches[1].str();
            auto id = runner.cancel_job(name);
            if (!id)
              return write_error(res, id.error());
            res.status = 202;
            res.set_content(dump({{"run", *id}, {"job", name}, {"cancel_requested", true}}),
                            json_type);
          }))
    return err;
  if (auto err = server.add_route(
          http_method::get, R"(/v1/runs/([^/]+))", [&runner](const req_t& req, res_t& res) {
            auto text = req.matches[1].str();
            auto id = parse_id(text);
            auto run = id ? runner.run(*id) : std::nullopt;
            if (!run)
              return write_json_error(res, 404, "no run with id '" + text + "'");
            res.set_content(dump(run_json(runner, *run)), json_type);
          }))
    return err;
  return server.add_route(
      http_method::post, R"(/v1/runs/([^/]+)/cancel)", [&runner](const req_t& req, res_t& res) {
        auto text = req.matches[1].str();
        auto id = parse_id(text);
        if (!id)
          return write_json_error(res, 404, "no run with id '" + text + "'");
        auto run = runner.run(*id);
        if (auto err = runner.cancel_run(*id))
          return write_error(res, err);
        res.status = 202;
        res.set_content(
            dump({{"run", *id}, {"job", run ? run->job : ""}, {"cancel_requested", true}}),
            json_type);
      });
}

} // namespace

caf::error add_job_routes(admin_server& server, job_runner& runner) {
  return add_all(server, runner);
}

std::string job_summary_json(const job_view& job) {
  return summary(job).dump();
}

} // namespace bulkd
