#include "daemon/cli.hpp"

#include "daemon/commands/options.hpp"
#include "daemon/exit_code.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

namespace bulkd {

namespace {

constexpr const char* exit_codes_text = R"(Exit codes:
  0  success
  1  a job, check or validation failed
  2  bad command line, or a job spec / config that does not load
  3  the subcommand is not implemented yet in this version
  4  a service bulkd needs (admin API, port) cannot be reached)";

void add_admin_flags(CLI::App* cmd, admin_options& opts) {
  cmd->add_option("--admin", opts.url, "Admin API base URL")
      ->envname("BULKD_ADMIN_URL")
      ->capture_default_str();
  cmd->add_option("--token", opts.token, "Bearer token for the admin API")
      ->envname("BULKD_ADMIN_TOKEN");
  cmd->add_option("-c,--config", opts.config,
                  "Daemon config file: take the API's address (admin.listen) and token from it "
                  "unless --admin / --token are given");
  cmd->add_flag("--json", opts.json, "Print the API's JSON instead of a table");
}

} // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"bulkd: runs bulk jobs against Azure Cosmos DB and Azure Key Vault.\n"
               "Jobs are YAML specs: bulk-upsert (files into a container), change-feed (a\n"
               "container's changes to a sink, at least once) and key-backup (Key Vault keys to\n"
               "an encrypted backup set). Run it as a systemd service (serve) or one-shot (run).",
               "bulkd"};
  app.footer(exit_codes_text);
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show the help of every subcommand");

  serve_options serve;
  auto* serve_cmd = app.add_subcommand(
      "serve",
      "Run the daemon: load bulkd.yaml and every job in its jobs_dir, serve the admin API");
  serve_cmd->add_option("-c,--config", serve.config, "Daemon config file")->capture_default_str();
  serve_cmd->add_option("--admin-listen", serve.admin_listen,
                        "Listen address of the admin API (host:port), overriding the config");
  serve_cmd->add_flag("--dev", serve.dev,
                      "Start the embedded emulator and use the development profile");

  run_options run;
  auto* run_cmd = app.add_subcommand("run", "Run job files once, print a summary, exit");
  run_cmd->add_option("jobs", run.job_files, "Job spec files (YAML)")->required();
  run_cmd->add_option("-c,--config", run.config, "Daemon config file")->capture_default_str();
  run_cmd->add_flag("--dev", run.dev, "Run against the embedded emulator");
  run_cmd->add_option("--report", run.report, "Also write the summary as JSON to this file");
  run_cmd->add_option("--metrics-listen", run.metrics_listen,
                      "Serve Prometheus metrics of the run at http://HOST:PORT/metrics while it "
                      "runs (port 0: any free port; the URL is printed on stderr)");
  run_cmd->add_flag("--until-caught-up", run.until_caught_up,
                    "Change-feed jobs: stop once every range is read to its end and checkpointed "
                    "(without it they run until SIGTERM or SIGINT)");
  run_cmd->add_option("--metrics-linger", run.metrics_linger,
                      "Keep serving /metrics this long after the last job ended (e.g. 5s), so a "
                      "scraper can read the final values");
  run_cmd->footer(
      std::string{
          "With --metrics-listen, /metrics has the process metrics and, per bulk-upsert\n"
          "job, updated every half second and once more at the end (equal to the report):\n"
          "  bulkd_documents_total{job,outcome}   outcome: written, dead_lettered, rejected\n"
          "  bulkd_documents_read_total{job}      bulkd_request_charge_total{job} (RU)\n"
          "  bulkd_throttles_total{job}           bulkd_retries_total{job}\n"
          "  bulkd_rebatches_total{job}           bulkd_routing_refreshes_total{job}\n"
          "  bulkd_input_bytes_read_total{job}    bulkd_in_flight_requests{job,range} (gauge)\n"
          "  bulkd_job_running{job,kind} (gauge: 1 while the run goes on, then 0)\n"
          "and per change-feed job:\n"
          "  bulkd_change_feed_documents_total{job,outcome}   delivered, dead_lettered\n"
          "  bulkd_change_feed_batches_total{job}  bulkd_change_feed_leases_owned{job}\n"
          "  bulkd_change_feed_lag_items{job,range}  bulkd_change_feed_lag_seconds{job,range}\n"
          "  (no lag series for a range before its first checkpoint: unknown, not 0)\n"
          "A change-feed job runs until SIGTERM or SIGINT (it then releases its leases and\n"
          "exits 0), or with --until-caught-up until every range is read to its end.\n"
          "When the config sets admin.token, /metrics asks for it (Authorization: Bearer TOKEN);\n"
          "an address that is not loopback is refused without one.\n\n"} +
      std::string{exit_codes_text});

  validate_options validate;
  auto* validate_cmd = app.add_subcommand(
      "validate", "Check job specs and daemon config files; report every error with its position");
  validate_cmd->add_option("files", validate.files, "Job spec files and/or bulkd.yaml files")
      ->required();
  validate_cmd->add_option("-c,--config", validate.config,
                           "bulkd.yaml to check account and vault references against");
  validate_cmd->add_flag("--print", validate.print,
                         "Print the normalized specs (secrets shown as ***)");

  emulator_options emu;
  auto* emu_cmd = app.add_subcommand(
      "emulator",
      "Local Cosmos DB + Key Vault endpoint for development and tests (not for production)");
  emu_cmd->footer(
      "A development and test endpoint, not a production database: it listens on 127.0.0.1 by\n"
      "default, uses the well-known emulator key unless --cosmos-key is given, and keeps its data\n"
      "in SQLite under --data-dir (or in memory with --in-memory).\n"
      "Cosmos DB: database account, databases, containers (Hash v1/v2, MultiHash; --ranges split\n"
      "the key space evenly), partition key ranges, document create/upsert/read/replace/delete\n"
      "with etags, session tokens and request charges, patch, SQL-subset queries, transactional\n"
      "batch and bulk, ReadFeed paging, the latest-version change feed, master-key signatures.\n"
      "--tls serves HTTPS with a self-signed certificate kept in --data-dir (emulator-cert.pem).\n"
      "Key Vault keys (same port, vault URL = the endpoint; keys kept in keyvault.sqlite) and an\n"
      "AAD-like token endpoint (authority = the endpoint): the development client is tenant\n"
      "00000000-0000-0000-0000-000000000000, client bulkd-dev, secret bulkd-dev-secret; more with\n"
      "--clients FILE ({\"clients\": [{\"tenant\", \"client_id\", \"client_secret\" or\n"
      "\"certificate_file\"}]}). Tokens are signed with a key made at start.\n"
      "Not implemented: the all-versions change feed, container replace, offers, users, stored\n"
      "procedures.\n"
      "Range splits for tests (no signature; the emulator is meant for loopback):\n"
      "  POST /_emulator/split {\"db\":\"db1\",\"coll\":\"c1\",\"range\":\"2\"}\n"
      "cuts range 2 at the middle of its hashed key space into two new ranges (the next ids) that\n"
      "list \"parents\":[\"2\"] in pkranges (whose etag changes); documents move to the child "
      "that\n"
      "holds their key, the children's LSNs go on from the parent's (change-feed etags of the\n"
      "parent stay valid on them), and requests naming range 2 answer 410/1002. It answers the\n"
      "children as JSON; 404 for an unknown database, container or range, 400 otherwise.\n"
      "--faults injects errors into every Cosmos and Key Vault request (not the token endpoint):\n"
      "429=P (throttled; Retry-After and x-ms-retry-after-ms unless retry-after=0ms), 503=P,\n"
      "reset=P (connection closed without an answer), latency=20ms, retry-after=100ms, seed=N.\n"
      "With 429=P bulk batches are throttled as a whole with probability P/2, and otherwise each\n"
      "operation on its own with probability P/(2-P) (statusCode 429, subStatusCode 3200,\n"
      "retryAfterMilliseconds; not applied, the others are): every operation meets a 429 with\n"
      "probability P per attempt. Transactional batches are throttled only as a whole.");
  emu_cmd->add_option("--data-dir", emu.data_dir,
                      "Directory for the SQLite data (created; required unless --in-memory)");
  emu_cmd->add_option("--bind", emu.bind, "Address to listen on")->capture_default_str();
  emu_cmd->add_option("--port", emu.port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  emu_cmd->add_flag("--tls", emu.tls, "Serve HTTPS with a self-signed certificate");
  emu_cmd->add_flag("--in-memory", emu.in_memory, "Keep data in memory only");
  emu_cmd->add_option("--ranges", emu.ranges, "Physical partition key ranges per new container")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1024u));
  emu_cmd->add_option("--faults", emu.faults,
                      "Fault injection, e.g. 429=0.2,503=0.05,latency=20ms,reset=0.01");
  emu_cmd->add_option("--cosmos-key", emu.cosmos_key, "Master key (default: the well-known key)");
  emu_cmd
      ->add_option("--clients", emu.clients_files,
                   "JSON file of extra identity clients (repeatable)")
      ->check(CLI::ExistingFile);

  demo_options demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "Show bulkd working on this machine and print a summary (this version: the example "
              "specs and their schedules, the emulator, the example bulk-upsert job loading "
              "generated products into it, and the daemon's start, admin API and clean stop)");
  demo_cmd
      ->add_option("--examples", demo.examples_dir,
                   "Directory with the example configs (dev/bulkd.yaml, dev/jobs.d/)")
      ->capture_default_str();

  admin_options admin;
  auto* jobs_cmd = app.add_subcommand("jobs", "List the daemon's jobs (admin API)");
  add_admin_flags(jobs_cmd, admin);
  auto* status_cmd =
      app.add_subcommand("status", "Show a job's runs, progress and lag (admin API)");
  status_cmd->add_option("job", admin.job, "Job name (all jobs when absent)");
  add_admin_flags(status_cmd, admin);
  auto* trigger_cmd = app.add_subcommand("trigger", "Start a run of a job now (admin API)");
  trigger_cmd->add_option("job", admin.job, "Job name")->required();
  add_admin_flags(trigger_cmd, admin);
  auto* cancel_cmd =
      app.add_subcommand("cancel", "Cancel a job's running run, or a run by id (admin API)");
  cancel_cmd->add_option("job", admin.job, "Job name or run id")->required();
  add_admin_flags(cancel_cmd, admin);

  keys_options keys;
  auto* keys_cmd = app.add_subcommand("keys", "Inspect, verify and restore key backup sets");
  keys_cmd->require_subcommand(1);
  auto* kv_verify = keys_cmd->add_subcommand("verify", "Check a backup set: hashes, decryption, "
                                                       "manifest completeness");
  kv_verify->add_option("set", keys.set_dir, "Backup set directory")->required();
  kv_verify->add_option("--encryption-key-file", keys.encryption_key_file,
                        "File with the set's AES-256 key: 64 hex digits or 44 characters of "
                        "base64 (needed to check decryption of an encrypted set)");
  kv_verify->footer("Exit codes: 0 the set is complete and every file checks out, 1 problems "
                    "(printed), 2 bad usage or an unreadable key file.");
  auto* kv_list = keys_cmd->add_subcommand("list", "List the keys in a backup set");
  kv_list->add_option("set", keys.set_dir, "Backup set directory")->required();
  auto* kv_restore = keys_cmd->add_subcommand("restore", "Restore keys from a backup set");
  kv_restore->add_option("set", keys.set_dir, "Backup set directory")->required();
  kv_restore->add_option("--vault", keys.vault, "Vault name from bulkd.yaml")->required();
  kv_restore->add_option("--key", keys.keys, "Restore only these keys (repeatable)");
  kv_restore->add_flag("--skip-existing", keys.skip_existing, "Skip keys that already exist");
  kv_restore->add_option("--encryption-key-file", keys.encryption_key_file,
                         "File with the set's AES-256 key (required for an encrypted set)");
  kv_restore->footer("Exit codes: 0 every key restored or skipped, 1 some failed (a key that "
                     "exists fails unless --skip-existing), 2 bad usage.");
  kv_restore->add_option("-c,--config", keys.config, "Daemon config file")->capture_default_str();

  checkpoint_options cp;
  auto* cp_cmd =
      app.add_subcommand("checkpoint", "Show or reset a job's checkpoints (job stopped)");
  cp_cmd->require_subcommand(1);
  cp_cmd->footer(
      "The job is looked up by name in the config's jobs_dir. change-feed: the leases (file:\n"
      "<state_dir>/leases/<job>.json; cosmos: the lease container); bulk-upsert: the checkpoint\n"
      "<state_dir>/checkpoints/<job>.json. reset takes the job's lock: it is refused while the\n"
      "job runs on this machine (exit 1), and with store: cosmos while any lease is held.");
  auto* cp_show = cp_cmd->add_subcommand("show", "Print a job's checkpoints");
  cp_show->add_option("job", cp.job, "Job name")->required();
  cp_show->add_option("-c,--config", cp.config, "Daemon config file")->capture_default_str();
  cp_show->add_flag("--json", cp.json, "Print JSON (the leases as stored)");
  auto* cp_reset = cp_cmd->add_subcommand(
      "reset", "Start a job over: change-feed leases from --to, a bulk-upsert from the beginning");
  cp_reset->add_option("job", cp.job, "Job name")->required();
  cp_reset
      ->add_option("--to", cp.to,
                   "beginning | now (the time of the reset) | an RFC 3339 time; bulk-upsert "
                   "jobs: beginning only (removes the checkpoint file)")
      ->required();
  cp_reset->add_option("-c,--config", cp.config, "Daemon config file")->capture_default_str();
  cp_reset->add_flag("-y,--yes", cp.yes,
                     "Do not ask for confirmation (needed when stdin is not a terminal)");

  app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11 returns 0 for --help; every real parse error is a usage error for us.
    return rc == 0 ? exit_code::ok : exit_code::bad_input;
  }

  if (*serve_cmd)
    return run_serve(serve);
  if (*run_cmd)
    return run_run(run);
  if (*validate_cmd)
    return run_validate(validate);
  if (*emu_cmd)
    return run_emulator(emu);
  if (*demo_cmd)
    return run_demo(demo);
  if (*jobs_cmd)
    return run_admin_verb("jobs", admin);
  if (*status_cmd)
    return run_admin_verb("status", admin);
  if (*trigger_cmd)
    return run_admin_verb("trigger", admin);
  if (*cancel_cmd)
    return run_admin_verb("cancel", admin);
  if (*keys_cmd) {
    keys.action = *kv_verify ? "verify" : *kv_list ? "list" : "restore";
    return run_keys(keys);
  }
  if (*cp_cmd) {
    cp.action = *cp_show ? "show" : "reset";
    return run_checkpoint(cp);
  }
  std::printf("bulkd %s\n", BULKD_VERSION);
  return exit_code::ok;
}

} // namespace bulkd
