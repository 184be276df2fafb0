// `bulkd demo`: shows on one machine what bulkd does so far: the example job specs load and
// validate, their schedules are computed; the emulator starts inside the demo's process (in
// memory, 4 ranges) and the jobs run as child processes against its port; the
// example bulk-upsert job loads generated products into it with `bulkd run`, the example
// change-feed job delivers every one of them to its jsonl sink (`bulkd run --until-caught-up`);
// sample keys are created in its Key Vault over the REST API (with the dev credential, as any
// client would) and the example key-backup job backs them up, encrypted, with `bulkd run`, then
// `bulkd keys verify` checks the set; and the daemon starts, serves its admin API and stops cleanly
// on SIGTERM. The job runs and the daemon are child processes of the demo, started exactly as a
// user would start them.

#include "actors/http_transport.hpp"
#include "actors/key_backup/vault_credential.hpp"
#include "clients/error.hpp"
#include "clients/http_request.hpp"
#include "clients/identity/credential.hpp"
#include "daemon/commands/options.hpp"
#include "daemon/dev_emulator.hpp"
#include "daemon/exit_code.hpp"
#include "jobs/daemon_config.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/error_text.hpp"
#include "jobs/job_spec.hpp"
#include "jobs/spec_loader.hpp"
#include "jobs/timestamp.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <regex>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <variant>
#include <vector>

namespace bulkd {

namespace {

using namespace std::chrono_literals;

uint16_t pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

struct step_result {
  std::string what;
  bool ok;
  std::string detail;
};

int wait_exit(pid_t pid, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(20ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

/// Starts `bulkd ARGS...` with stdout and stderr to `log_path`.
pid_t spawn_bulkd(const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>("bulkd"));
    for (auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv("/proc/self/exe", argv.data());
    std::_Exit(127);
  }
  return pid;
}

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Products for the example bulk-upsert job: `count` documents over 12 categories.
void write_products(const std::filesystem::path& file, int count, int first = 0) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out{file};
  for (int i = first + 1; i <= first + count; ++i)
    out << R"({"id":"p-)" << i << R"(","category":"cat-)" << (i % 12) << R"(","name":"Product )"
        << i << R"(","price":)" << (i % 997) + 0.99 << R"(,"stock":)" << (i * 7) % 100 << "}\n";
}

/// The demo's sample keys: mixed types, some with several versions, some tagged.
struct sample_key {
  const char* name;
  const char* kty; // RSA (2048 bits), EC (P-256) or oct (256 bits)
  int versions;
  std::map<std::string, std::string> tags;
};

const std::vector<sample_key>& sample_keys() {
  static const std::vector<sample_key> keys{
      {"api-jwt-signing", "RSA", 3, {{"environment", "production"}, {"team", "platform"}}},
      {"payments-signing", "EC", 2, {{"environment", "production"}, {"team", "payments"}}},
      {"orders-encryption", "RSA", 1, {{"environment", "production"}}},
      {"customer-pii-kek", "RSA", 2, {{"environment", "production"}, {"data", "confidential"}}},
      {"session-hmac", "oct", 1, {}},
      {"webhook-hmac", "oct", 2, {{"team", "integrations"}}},
      {"mobile-attestation", "EC", 1, {}},
      {"device-identity", "EC", 1, {{"team", "iot"}}},
      {"backup-wrapping", "oct", 1, {{"environment", "production"}}},
      {"staging-jwt-signing", "RSA", 1, {{"environment", "staging"}}},
      {"staging-payments", "EC", 1, {{"environment", "staging"}}},
      {"reporting-export", "RSA", 1, {}},
      {"audit-log-signing", "EC", 1, {{"environment", "production"}}},
      {"partner-sftp", "RSA", 1, {{"team", "integrations"}}},
      {"cache-encryption", "oct", 1, {}},
      {"search-index", "oct", 1, {}},
      {"billing-invoices", "EC", 2, {{"team", "payments"}}},
      {"legacy-sso", "RSA", 1, {{"deprecated", "true"}}},
      {"feature-flags", "oct", 1, {}},
      {"dev-sandbox", "EC", 1, {{"environment", "development"}}},
  };
  return keys;
}

/// Creates the sample keys in the emulator's vault: a token from its identity endpoint with the
/// vault's credential, then POST /keys/{name}/create once per version. Returns what went wrong,
/// or an empty string.
std::string create_sample_keys(const daemon_config& config, const vault_config& vault,
                               const std::string& endpoint, const std::string& api_version) {
  http_transport transport;
  auto spec = vault.credential;
  spec.authority_host = endpoint;
  auto credential = make_vault_credential(spec, config);
  if (!credential)
    return "credential: " + error_text(credential.error());
  identity::token_request_context ctx;
  ctx.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto token_req = (*credential)->token_request(ctx);
  if (!token_req)
    return "token request: " + error_text(token_req.error());
  auto token_resp = transport.send(*token_req);
  if (!token_resp)
    return describe(*token_req) + ": " + error_text(token_resp.error());
  auto token = (*credential)->parse_token_response(*token_req, *token_resp, ctx.now);
  if (!token)
    return "token: " + error_text(token.error());
  for (const auto& key : sample_keys()) {
    nlohmann::json body{{"kty", key.kty}};
    if (std::string_view{key.kty} == "EC")
      body["crv"] = "P-256";
    else
      body["key_size"] = std::string_view{key.kty} == "RSA" ? 2048 : 256;
    if (!key.tags.empty())
      body["tags"] = key.tags;
    for (int v = 0; v < key.versions; ++v) {
      http_request req;
      req.method = "POST";
      if (auto err =
              set_url(req, endpoint + "/keys/" + key.name + "/create?api-version=" + api_version))
        return error_text(err);
      req.headers.set("Authorization", token->type + " " + token->value);
      req.headers.set("Content-Type", "application/json");
      req.headers.set("Accept", "application/json");
      req.body = body.dump();
      auto resp = transport.send(req);
      if (!resp)
        return describe(req) + ": " + error_text(resp.error());
      if (resp->status != 200)
        return describe(req) + ": HTTP " + std::to_string(resp->status) + " " + resp->body;
    }
  }
  return {};
}

/// The example change-feed job over the container the bulk load filled: `bulkd run
/// --until-caught-up` delivers every product to its jsonl sink, then stops.
void run_feed_steps(const demo_options& opts, const std::filesystem::path& work,
                    const std::filesystem::path& run_config, int expected,
                    std::vector<step_result>& steps) {
  auto job_file =
      std::filesystem::path{opts.examples_dir} / "dev" / "jobs.d" / "products-feed.yaml";
  auto report_path = (work / "products-feed.json").string();
  auto log = (work / "products-feed.log").string();
  std::printf("Running `bulkd run %s --until-caught-up` ...\n", job_file.c_str());
  std::fflush(stdout);
  pid_t run = spawn_bulkd({"run", job_file.string(), "--config", run_config.string(),
                           "--until-caught-up", "--report", report_path},
                          log);
  int rc = wait_exit(run, 120s);
  std::string detail = "exit code " + std::to_string(rc) + " (log: " + log + ")";
  bool ok = false;
  try {
    auto report = nlohmann::json::parse(read_text(report_path));
    auto delivered = report.at("delivered").get<uint64_t>();
    auto sink = work / "state" / "feeds" / "products.jsonl";
    uint64_t lines = 0;
    std::ifstream in{sink};
    for (std::string line; std::getline(in, line);)
      ++lines;
    ok = rc == 0 && report.at("caught_up").get<bool>() && lines >= static_cast<uint64_t>(expected);
    char text[256];
    std::snprintf(text, sizeof text,
                  "%llu changes to %s in %.1f s (%.0f/s), caught up on %zu ranges",
                  static_cast<unsigned long long>(delivered), sink.c_str(),
                  report.at("seconds").get<double>(),
                  report.at("seconds").get<double>() > 0
                      ? static_cast<double>(delivered) / report.at("seconds").get<double>()
                      : 0.0,
                  report.at("ranges").size());
    detail = text;
  } catch (const std::exception& e) {
    detail += ", no report: " + std::string{e.what()};
  }
  steps.push_back({"change-feed products-feed (bulkd run)", ok, detail});
}

/// Sample keys into the emulator's vault, the example key-backup job over them with `bulkd run`,
/// and `bulkd keys verify` of the set it wrote.
void run_key_backup_steps(const demo_options& opts, const daemon_config& config,
                          const std::vector<job_spec>& jobs, const std::string& endpoint,
                          const std::filesystem::path& work,
                          const std::filesystem::path& run_config,
                          std::vector<step_result>& steps) {
  namespace fs = std::filesystem;
  const char* job_name = "backup-keys";
  const key_backup_spec* spec = nullptr;
  for (const auto& job : jobs)
    if (job.name == job_name)
      spec = std::get_if<key_backup_spec>(&job.body);
  if (spec == nullptr || !config.vaults.contains(spec->vault) ||
      config.vaults.at(spec->vault).credential.type != credential_type::client_secret) {
    steps.push_back({"key-backup backup-keys", false,
                     "the dev profile has no key-backup job backup-keys on a vault with a "
                     "client-secret credential"});
    return;
  }
  size_t versions = 0;
  std::map<std::string, int> by_type;
  size_t tagged = 0;
  for (const auto& k : sample_keys()) {
    versions += k.versions;
    ++by_type[k.kty];
    tagged += k.tags.empty() ? 0 : 1;
  }
  auto keys = sample_keys().size();
  std::printf("Creating %zu sample keys (%zu versions) in the emulator's Key Vault ...\n", keys,
              versions);
  std::fflush(stdout);
  auto created =
      create_sample_keys(config, config.vaults.at(spec->vault), endpoint, spec->api_version);
  char line[200];
  std::snprintf(line, sizeof line, "%zu keys, %zu versions (%d RSA, %d EC, %d oct), %zu tagged",
                keys, versions, by_type["RSA"], by_type["EC"], by_type["oct"], tagged);
  steps.push_back({"sample keys in the emulator's Key Vault", created.empty(),
                   created.empty() ? std::string{line} : created});
  if (!created.empty())
    return;

  auto job_file = fs::path{opts.examples_dir} / "dev" / "jobs.d" / "backup-keys.yaml";
  auto report_path = (work / "backup-keys.json").string();
  std::printf("Running `bulkd run %s` ...\n", job_file.c_str());
  std::fflush(stdout);
  pid_t run = spawn_bulkd(
      {"run", job_file.string(), "--config", run_config.string(), "--report", report_path},
      (work / "backup-keys.log").string());
  int run_rc = wait_exit(run, 120s);
  std::string set_dir;
  std::string detail = "exit code " + std::to_string(run_rc);
  bool backed_up = false;
  try {
    auto report = nlohmann::json::parse(read_text(report_path));
    auto count = report.at("backed_up").get<uint64_t>();
    auto seconds = report.at("seconds").get<double>();
    set_dir = report.at("set_dir").get<std::string>();
    backed_up = run_rc == 0 && report.at("ok").get<bool>() && count == keys;
    std::snprintf(line, sizeof line, "%llu keys backed up in %.1f s (%.0f keys/s), %s",
                  static_cast<unsigned long long>(count), seconds,
                  seconds > 0 ? static_cast<double>(count) / seconds : 0.0,
                  spec->destination.encryption_key.empty() ? "not encrypted" : "AES-256-GCM");
    detail = line;
    if (!backed_up)
      detail += " (exit code " + std::to_string(run_rc) +
                ", log: " + (work / "backup-keys.log").string() + ")";
  } catch (const std::exception& e) {
    detail += ", no report: " + std::string{e.what()} +
              " (log: " + (work / "backup-keys.log").string() + ")";
  }
  steps.push_back({"key-backup backup-keys (bulkd run)", backed_up, detail});
  if (set_dir.empty())
    return;
  steps.push_back({"  backup set", fs::exists(fs::path{set_dir} / "manifest.json"), set_dir});

  std::vector<std::string> verify{"keys", "verify", set_dir};
  if (!spec->destination.encryption_key.empty()) {
    auto key_file = work / "backup-keys.key";
    {
      std::ofstream out{key_file};
      out << spec->destination.encryption_key.reveal() << "\n";
    }
    fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    verify.push_back("--encryption-key-file");
    verify.push_back(key_file.string());
  }
  std::string shown;
  for (size_t i = 2; i < verify.size(); ++i)
    shown += " " + verify[i];
  std::printf("Running `bulkd keys verify%s` ...\n", shown.c_str());
  std::fflush(stdout);
  auto verify_log = (work / "verify.log").string();
  int verify_rc = wait_exit(spawn_bulkd(verify, verify_log), 60s);
  auto verify_out = read_text(verify_log);
  static const std::regex verdict{R"(verify: (ok, \d+ key\(s\) checked|FAILED, \d+ problem\(s\)))"};
  std::smatch m;
  bool verified = verify_rc == 0 && std::regex_search(verify_out, m, verdict);
  steps.push_back({"bulkd keys verify (hashes, decryption)", verified,
                   !m.empty() ? m[1].str() + (verified ? "" : ", see " + verify_log)
                              : "exit code " + std::to_string(verify_rc) + ", see " + verify_log});
}

} // namespace

/// Through the daemon's admin API: a load of 5,000 more products triggered with POST
/// /v1/jobs/load-products/run, watched until it succeeded, and the continuous change feed's live
/// count of delivered changes.
void serve_job_steps(httplib::Client& client, const std::filesystem::path& work,
                     std::vector<step_result>& steps) {
  constexpr int more = 5'000;
  write_products(work / "state" / "in" / "products-2.jsonl", more, 20'000);
  auto job = [&](const std::string& name) {
    auto res = client.Get(("/v1/jobs/" + name).c_str());
    return res && res->status == 200 ? nlohmann::json::parse(res->body, nullptr, false)
                                     : nlohmann::json{};
  };
  auto started = std::chrono::steady_clock::now();
  auto trigger = client.Post("/v1/jobs/load-products/run", "", "application/json");
  std::string state = trigger ? "HTTP " + std::to_string(trigger->status) : "no answer";
  nlohmann::json run;
  for (int i = 0; i < 600 && trigger && trigger->status == 202; ++i) {
    auto j = job("load-products");
    if (j.is_object() && j["current"].is_null() && j["last_runs"].is_array() &&
        !j["last_runs"].empty()) {
      run = j["last_runs"][0];
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  bool loaded = run.is_object() && run.value("state", "") == "succeeded" &&
                run["counts"].value("written", 0) == more;
  if (run.is_object())
    state = run.value("state", "?") + ", " + std::to_string(run["counts"].value("written", 0)) +
            " written";
  steps.push_back({"serve: POST /v1/jobs/load-products/run", loaded, state});
  uint64_t delivered = 0;
  for (int i = 0; i < 300; ++i) {
    auto j = job("products-feed");
    if (j.is_object() && j["current"].is_object())
      delivered = j["current"]["counts"].value("delivered", uint64_t{0});
    if (delivered >= static_cast<uint64_t>(more))
      break;
    std::this_thread::sleep_for(100ms);
  }
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char text[160];
  std::snprintf(text, sizeof text,
                "%llu of %d new changes delivered by the running feed (%.1f s "
                "after the trigger)",
                static_cast<unsigned long long>(delivered), more, secs);
  steps.push_back(
      {"serve: products-feed (continuous)", delivered >= static_cast<uint64_t>(more), text});
}

int run_demo(const demo_options& given) {
  namespace fs = std::filesystem;
  // Installed from the .deb, the build tree's examples are gone; the package ships them here.
  auto opts = given;
  if (!fs::exists(fs::path{opts.examples_dir} / "dev" / "bulkd.yaml") &&
      fs::exists("/usr/share/bulkd/examples/dev/bulkd.yaml"))
    opts.examples_dir = "/usr/share/bulkd/examples";
  auto config_path = (fs::path{opts.examples_dir} / "dev" / "bulkd.yaml").string();
  std::vector<step_result> steps;
  std::printf("bulkd demo — what works in this version\n\n");

  // 1. The development profile and its jobs load, strictly validated.
  auto config = load_daemon_config(config_path);
  for (auto& d : config.diags)
    std::fprintf(stderr, "%s\n", render(d).c_str());
  if (!config.ok())
    return exit_code::bad_input;
  auto jobs = load_configured_jobs(*config.value);
  for (auto& d : jobs.diags)
    std::fprintf(stderr, "%s\n", render(d).c_str());
  if (!jobs.ok())
    return exit_code::bad_input;
  steps.push_back({"config and job specs validate", true,
                   std::to_string(jobs.value->size()) + " jobs from " +
                       config.value->resolve_path(config.value->jobs_dir)});

  std::printf("Example jobs (%s):\n", config_path.c_str());
  std::printf("  %-18s %-12s %-14s %s\n", "job", "kind", "schedule", "next run (UTC)");
  auto now = std::chrono::system_clock::now();
  for (auto& job : *jobs.value) {
    std::string next = job.kind() == job_kind::change_feed ? "continuous" : "on demand";
    if (auto schedule = parsed_schedule(job))
      next = format_rfc3339(
          std::chrono::time_point_cast<std::chrono::milliseconds>(schedule->next_after(now)));
    std::printf("  %-18s %-12s %-14s %s\n", job.name.c_str(),
                std::string{enum_name(job.kind())}.c_str(),
                job.schedule.empty() ? "-" : job.schedule.c_str(), next.c_str());
  }
  std::printf("\n");

  // 2. The emulator starts and the example bulk-upsert job loads generated products into it.
  auto work = fs::temp_directory_path() / ("bulkd-demo-" + std::to_string(::getpid()));
  fs::create_directories(work);
  std::printf(
      "Starting the emulator inside this process (in memory, 4 ranges per container) ...\n");
  std::fflush(stdout);
  std::unique_ptr<dev_emulator> emulator;
  std::string endpoint;
  auto started = dev_emulator::start({.bind = "127.0.0.1", .port = 0, .data_dir = {}, .ranges = 4});
  if (started) {
    emulator = std::move(*started);
    endpoint = emulator->url();
  }
  steps.push_back({"emulator up in-process (Cosmos DB + Key Vault, 4 ranges)", !endpoint.empty(),
                   started ? endpoint : render(started.error())});
  auto load_job = fs::path{opts.examples_dir} / "dev" / "jobs.d" / "load-products.yaml";
  if (!endpoint.empty()) {
    constexpr int products = 20'000;
    write_products(work / "state" / "in" / "products-1.jsonl", products);
    auto run_config = work / "bulkd.yaml";
    {
      std::ofstream out{run_config};
      out << "state_dir: " << (work / "state").string() << "\nlog: { level: warn }\n"
          << "accounts:\n  dev:\n    endpoint: \"" << endpoint << "\"\n    key: \""
          << config.value->accounts.at("dev").key.reveal() << "\"\n";
      // The dev profile's vaults, moved to the emulator's port (its token endpoint too).
      out << "vaults:\n";
      for (const auto& [name, vault] : config.value->vaults) {
        const auto& cred = vault.credential;
        if (cred.type != credential_type::client_secret)
          continue;
        out << "  " << name << ":\n    url: \"" << endpoint << "\"\n    credential:\n"
            << "      type: client-secret\n      tenant_id: \"" << cred.tenant_id
            << "\"\n      client_id: \"" << cred.client_id << "\"\n      client_secret: \""
            << cred.client_secret.reveal() << "\"\n      authority_host: \"" << endpoint << "\"\n";
      }
    }
    auto report_path = (work / "load-products.json").string();
    std::printf("Running `bulkd run %s` on %d generated products ...\n", load_job.c_str(),
                products);
    std::fflush(stdout);
    pid_t run = spawn_bulkd(
        {"run", load_job.string(), "--config", run_config.string(), "--report", report_path},
        (work / "run.log").string());
    int run_rc = wait_exit(run, 120s);
    std::string detail = "exit code " + std::to_string(run_rc);
    bool loaded = false;
    try {
      auto report = nlohmann::json::parse(read_text(report_path));
      auto written = report.at("written").get<uint64_t>();
      loaded = run_rc == 0 && written == static_cast<uint64_t>(products);
      char line[160];
      std::snprintf(line, sizeof line, "%llu of %d written in %.1f s (%.0f docs/s, %.0f RU)",
                    static_cast<unsigned long long>(written), products,
                    report.at("seconds").get<double>(), report.at("docs_per_second").get<double>(),
                    report.at("request_charge").get<double>());
      detail = line;
    } catch (const std::exception& e) {
      detail +=
          ", no report: " + std::string{e.what()} + " (log: " + (work / "run.log").string() + ")";
    }
    steps.push_back({"bulk-upsert load-products (bulkd run)", loaded, detail});
    run_feed_steps(opts, work, run_config, products, steps);
    run_key_backup_steps(opts, *config.value, *jobs.value, endpoint, work, run_config, steps);
  }
  std::printf("\n");

  // 3. The daemon starts with the example jobs against the emulator, answers its admin API, runs
  // a triggered load whose documents the (continuous) change feed delivers, and stops on SIGTERM
  // with exit code 0.
  std::string serve_config = config_path;
  if (!endpoint.empty()) {
    serve_config = (work / "serve.yaml").string();
    std::ofstream out{serve_config};
    out << read_text((work / "bulkd.yaml").string())
        << "jobs_dir: " << (fs::path{opts.examples_dir} / "dev" / "jobs.d").string() << "\n";
  }
  auto port = pick_free_port();
  auto listen = "127.0.0.1:" + std::to_string(port);
  std::printf("Starting `bulkd serve --config %s --admin-listen %s` ...\n", serve_config.c_str(),
              listen.c_str());
  std::fflush(stdout);
  auto log_path =
      (fs::temp_directory_path() / ("bulkd-demo-serve-" + std::to_string(::getpid()) + ".log"))
          .string();
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execl("/proc/self/exe", "bulkd", "serve", "--config", serve_config.c_str(), "--admin-listen",
            listen.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  httplib::Client client{"127.0.0.1", port};
  client.set_connection_timeout(1s);
  auto health = client.Get("/healthz");
  for (int i = 0; i < 100 && !(health && health->status == 200); ++i) {
    std::this_thread::sleep_for(50ms);
    health = client.Get("/healthz");
  }
  steps.push_back({"daemon up, GET /healthz", health && health->status == 200,
                   health ? "HTTP " + std::to_string(health->status) : "no answer"});
  auto ready = client.Get("/readyz");
  steps.push_back({"GET /readyz (root supervisor answers)", ready && ready->status == 200,
                   ready ? "HTTP " + std::to_string(ready->status) : "no answer"});
  auto metrics = client.Get("/metrics");
  size_t families = 0;
  if (metrics)
    for (size_t pos = 0; (pos = metrics->body.find("# TYPE ", pos)) != std::string::npos; ++pos)
      ++families;
  steps.push_back({"GET /metrics (Prometheus text)", metrics && metrics->status == 200,
                   std::to_string(families) + " metric families"});
  if (!endpoint.empty())
    serve_job_steps(client, work, steps);
  auto stop_started = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  int rc = wait_exit(pid, 10s);
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - stop_started)
                     .count();
  steps.push_back(
      {"SIGTERM: ordered shutdown", rc == 0,
       "exit code " + std::to_string(rc) + " after " + std::to_string(stop_ms) + " ms"});

  if (emulator)
    emulator->stop();

  std::printf("\nSummary\n");
  bool all_ok = true;
  for (auto& s : steps) {
    all_ok = all_ok && s.ok;
    std::printf("  [%s] %-40s %s\n", s.ok ? " ok " : "FAIL", s.what.c_str(), s.detail.c_str());
  }
  std::printf("\nThe daemon's log: %s\nThe runs' logs, reports and state: %s\n", log_path.c_str(),
              work.c_str());
  return all_ok ? exit_code::ok : exit_code::failed;
}

} // namespace bulkd
