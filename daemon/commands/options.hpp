#pragma once

// Options of every bulkd subcommand, filled by the command line parser (daemon/cli.cpp) and handed to
// the subcommand's run_* function (one .cpp per subcommand in this folder).

#include <cstdint>
#include <string>
#include <vector>

namespace bulkd {

inline constexpr const char* default_config_path = "/etc/bulkd/bulkd.yaml";
inline constexpr const char* default_admin_url = "http://127.0.0.1:8686";

struct serve_options {
  std::string config = default_config_path;
  bool dev = false;         // start the embedded emulator and use config/dev defaults
  std::string admin_listen; // overrides admin.listen of the config ("host:port")
};

struct run_options {
  std::vector<std::string> job_files;
  std::string config = default_config_path;
  bool dev = false;
  std::string report;         // write the final summary as JSON here
  std::string metrics_listen; // "host:port": serve /metrics while the jobs run; empty: no server
  std::string metrics_linger; // a duration ("5s"): keep serving /metrics after the jobs ended
  bool until_caught_up = false; // change-feed: stop once caught up instead of at SIGTERM
};

struct validate_options {
  std::vector<std::string> files; // job files and/or daemon config files
  std::string config;             // the bulkd.yaml that account/vault references are checked against
  bool print = false;             // print the normalized specs, secrets as ***
};

struct emulator_options {
  std::string data_dir;
  std::string bind = "127.0.0.1";
  uint16_t port = 8081;
  bool tls = false;
  bool in_memory = false;
  unsigned ranges = 1;
  std::string faults;
  std::string cosmos_key; // empty: the well-known emulator key
  std::vector<std::string> clients_files; // extra identity clients (client_registry JSON)
};

struct demo_options {
  std::string examples_dir = BULKD_EXAMPLES_DIR; // holds dev/bulkd.yaml and dev/jobs.d/
};

struct admin_options {
  std::string url = default_admin_url;
  std::string token;  // bearer token; also read from BULKD_ADMIN_TOKEN
  std::string config; // bulkd.yaml: its admin.listen and admin.token when --admin/--token are not
                      // given
  std::string job;    // for status/trigger; cancel: a job name or a run id
  bool json = false;  // print the API's JSON instead of a table
};

struct keys_options {
  std::string action; // verify | restore | list
  std::string set_dir;
  std::string vault;
  std::vector<std::string> keys;
  bool skip_existing = false;
  std::string config = default_config_path;
  std::string encryption_key_file; // verify: the set's AES-256 key (64 hex digits or base64)
};

struct checkpoint_options {
  std::string action; // show | reset
  std::string job;
  std::string to; // beginning | now | RFC3339 time
  std::string config = default_config_path;
  bool json = false; // show: print JSON
  bool yes = false;  // reset: do not ask (required when stdin is not a terminal)
};

int run_serve(const serve_options& opts);
int run_run(const run_options& opts);
int run_validate(const validate_options& opts);
int run_emulator(const emulator_options& opts);
int run_demo(const demo_options& opts);
int run_admin_verb(const std::string& verb, const admin_options& opts);
int run_keys(const keys_options& opts);
int run_checkpoint(const checkpoint_options& opts);

/// Prints that `what` is not built yet and which part of the plan brings it; returns exit code 3.
int not_implemented(const std::string& what, const std::string& planned_in);

} // namespace bulkd
