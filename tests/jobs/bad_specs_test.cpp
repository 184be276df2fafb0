// One bad input per row: each must give exactly one error, with this position, key path and
// message.

#include "jobs/spec_loader.hpp"
#include "tests/jobs/spec_test_support.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

struct bad_case {
  const char* yaml;
  int line;
  int column;
  const char* path;
  const char* message;
  bool prefix = false; // message is a prefix (the rest comes from cron/glob parsers)
};

void check_case(const bad_case& c, bool is_config) {
  using namespace bulkd;
  auto cfg = test::reference_config();
  auto ctx = test::fake_context({{"HOME_DIR", "/home/x"}});
  diagnostics ds;
  bool ok = false;
  if (is_config) {
    auto r = parse_daemon_config(c.yaml, "bulkd.yaml", ctx);
    ds = r.diags;
    ok = r.ok();
  } else {
    auto r = parse_job_file(c.yaml, "job.yaml", &cfg, ctx);
    ds = r.diags;
    ok = r.ok();
  }
  INFO("input:\n" << c.yaml << "\ndiagnostics:\n" << test::all(ds));
  CHECK_FALSE(ok);
  REQUIRE(count(ds, severity::error) == 1);
  auto& d = ds.front();
  CHECK(d.file == (is_config ? "bulkd.yaml" : "job.yaml"));
  CHECK(d.line == c.line);
  CHECK(d.column == c.column);
  CHECK(d.path == c.path);
  if (c.prefix)
    CHECK(d.message.rfind(c.message, 0) == 0);
  else
    CHECK(d.message == c.message);
}

// clang-format off
const bad_case job_cases[] = {
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\nretension: { keep_last: 3 }\n",
   5, 1, "retension", "unknown key 'retension' for kind key-backup (did you mean 'retention'?)"},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\nfrobnicate: 1\n",
   5, 1, "frobnicate", "unknown key 'frobnicate' for kind key-backup (known keys: api_version, "
   "concurrency, destination, keys, kind, name, retention, retry, schedule, vault)"},
  {"kind: key-backup\nvault: main\ndestination: { path: /b }\n",
   1, 1, "name", "missing required key 'name'"},
  {"name: a\nvault: main\n",
   1, 1, "kind", "missing required key 'kind'"},
  {"name: a\nkind: bulk-upsrt\n",
   2, 7, "kind", "invalid kind 'bulk-upsrt'; expected bulk-upsert, change-feed or key-backup "
   "(did you mean 'bulk-upsert'?)"},
  {"name: a/b\nkind: key-backup\nvault: main\ndestination: { path: /b }\n",
   1, 7, "name", "invalid job name 'a/b': use letters, digits, '.', '_' and '-', starting with a "
   "letter or digit, no '..', at most 128 characters (it becomes part of file names)"},
  {"name: a..b\nkind: key-backup\nvault: main\ndestination: { path: /b }\n",
   1, 7, "name", "invalid job name 'a..b': use letters", true},
  {"name: \".hidden\"\nkind: key-backup\nvault: main\ndestination: { path: /b }\n",
   1, 7, "name", "invalid job name '.hidden'", true},
  {"name: a\nkind: key-backup\nschedule: \"61 * * * *\"\nvault: main\ndestination: { path: /b }\n",
   3, 11, "schedule", "invalid schedule '61 * * * *': ", true},
  {"name: a\nkind: key-backup\nschedule: \"@sometimes\"\nvault: main\ndestination: { path: /b }\n",
   3, 11, "schedule", "invalid schedule '@sometimes': ", true},
  {"name: f\nkind: change-feed\nschedule: \"@daily\"\n"
   "source: { account: main, database: d, container: c }\nsink: { type: jsonl, path: /o }\n",
   3, 1, "schedule", "schedule is not used by change-feed jobs (they run continuously)"},
  {"name: b\nkind: bulk-upsert\nsource:\n  path: \"/in/[abc\"\n"
   "target: { account: main, database: d, container: c }\n",
   4, 9, "source.path", "invalid glob '/in/[abc': ", true},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\n"
   "keys:\n  include: [\"ok-*\", \"[x\"]\n",
   6, 21, "keys.include[1]", "invalid glob '[x': ", true},
  {"name: b\nkind: bulk-upsert\nsource:\n  path: /in/x.xml\n  format: xml\n"
   "target: { account: main, database: d, container: c }\n",
   5, 11, "source.format", "invalid format 'xml'; expected jsonl, csv or json-array"},
  {"name: b\nkind: bulk-upsert\nsource:\n  path: /in/x\n  compression: zstd\n"
   "target: { account: main, database: d, container: c }\n",
   5, 16, "source.compression", "invalid compression 'zstd'; expected auto, none or gzip"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\noperation: upsrt\n",
   5, 12, "operation", "invalid operation 'upsrt'; expected upsert, create, replace, delete or "
   "patch (did you mean 'upsert'?)"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\noperation: patch\n",
   1, 1, "patch", "missing required key 'patch'"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\n"
   "patch: { operations: [ { op: set, path: /a, value_from: /b } ] }\n",
   5, 1, "patch", "patch is only used with operation: patch"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\noperation: patch\n"
   "patch:\n  operations:\n    - { op: multiply, path: /a, value_from: /b }\n",
   8, 13, "patch.operations[0].op", "invalid patch op 'multiply'; expected add, set, replace, "
   "remove or incr"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\noperation: patch\n"
   "patch:\n  operations:\n    - { op: remove, path: /a, value_from: /b }\n",
   8, 31, "patch.operations[0].value_from", "value_from is not used with op remove"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\noperation: patch\n"
   "patch:\n  operations:\n    - { op: incr, path: /n }\n",
   8, 7, "patch.operations[0].value_from", "missing required key 'value_from'"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\nconcurrency:\n  batch: 101\n",
   6, 10, "concurrency.batch", "must be at most 100, got '101'"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\nconcurrency:\n  max_in_flight: 0\n",
   6, 18, "concurrency.max_in_flight", "must be at least 1, got '0'"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\nconcurrency:\n  mailbox: -1\n",
   6, 12, "concurrency.mailbox", "must be at least 1, got '-1'"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\nconcurrency:\n  batch: lots\n",
   6, 10, "concurrency.batch", "expected an integer, got 'lots'"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\nretry:\n  initial_backoff: 10\n",
   6, 20, "retry.initial_backoff", "invalid duration '10': missing unit (expected e.g. 250ms, "
   "30s, 5m, 1h, 1d)"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\n"
   "retry:\n  initial_backoff: 5s\n  max_backoff: 1s\n",
   7, 16, "retry.max_backoff", "must not be less than initial_backoff (5s)"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\ncheckpoint_interval: -5s\n",
   5, 22, "checkpoint_interval", "invalid duration '-5s': negative (expected e.g. 250ms, 30s, "
   "5m, 1h, 1d)"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\ncheckpoint_interval: 5 minutes\n",
   5, 22, "checkpoint_interval", "invalid duration '5 minutes': unknown unit (expected e.g. "
   "250ms, 30s, 5m, 1h, 1d)"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink:\n  type: jsonl\n  path: /o\n  rotate: 256XB\n",
   7, 11, "sink.rotate", "invalid size '256XB': unknown unit (expected bytes or e.g. 512KiB, "
   "256MiB, 1GB)"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink:\n  type: kafka\n",
   5, 9, "sink.type", "invalid sink type 'kafka'; expected jsonl, http, cosmos or exec"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink:\n  path: /o\n",
   5, 3, "sink.type", "missing required key 'type'"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink:\n  type: jsonl\n  path: /o\n  url: http://x\n",
   7, 3, "sink.url", "unknown key 'url' for sink type jsonl (known keys: fsync, path, rotate, "
   "type)"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink:\n  type: http\n  url: ftp://files.example.com/x\n",
   6, 8, "sink.url", "invalid URL: unsupported scheme \"ftp\" (expected http or https)"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink:\n  type: http\n  url: \"http:///path\"\n",
   6, 8, "sink.url", "invalid URL: missing host"},
  {"name: f\nkind: change-feed\n"
   "source:\n  account: main\n  database: d\n  container: c\n  start_from: yesterday\n"
   "sink: { type: jsonl, path: /o }\n",
   7, 15, "source.start_from", "expected beginning, now or an RFC 3339 time; invalid RFC 3339 "
   "time 'yesterday': malformed (expected e.g. 2026-01-31T12:00:00Z)"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "leases:\n  store: redis\nsink: { type: jsonl, path: /o }\n",
   5, 10, "leases.store", "invalid lease store 'redis'; expected file or cosmos"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "leases:\n  store: file\n  container: leases\nsink: { type: jsonl, path: /o }\n",
   6, 3, "leases.container", "container is only used with store: cosmos"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "leases:\n  store: cosmos\nsink: { type: jsonl, path: /o }\n",
   5, 3, "leases.container", "missing required key 'container'"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "leases:\n  expiration: 10s\nsink: { type: jsonl, path: /o }\n",
   5, 15, "leases.expiration", "must be longer than renew_interval (17s)"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "max_batch: 0\nsink: { type: jsonl, path: /o }\n",
   4, 12, "max_batch", "must be at least 1, got '0'"},
  {"name: f\nkind: change-feed\nsource: { account: mian, database: d, container: c }\n"
   "sink: { type: jsonl, path: /o }\n",
   3, 20, "source.account", "unknown account 'mian': ref.yaml defines main (did you mean "
   "'main'?)"},
  {"name: a\nkind: key-backup\nvault: prod\ndestination: { path: /b }\n",
   3, 8, "vault", "unknown vault 'prod': ref.yaml defines main"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target:\n  account: main\n  container: c\n",
   5, 3, "target.database", "missing required key 'database'"},
  {"name: b\nkind: bulk-upsert\nsource:\n  - /in/x\n"
   "target: { account: main, database: d, container: c }\n",
   4, 3, "source", "expected a map, got a list"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\ngenerate_id: yes\n",
   5, 14, "generate_id", "expected true or false, got 'yes'"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\nid_path: id\n",
   5, 10, "id_path", "expected a JSON pointer such as /id, got 'id'"},
  {"name: b\nkind: bulk-upsert\nsource:\n  path: /in/x\n  csv: { delimiter: \";\" }\n"
   "target: { account: main, database: d, container: c }\n",
   5, 3, "source.csv", "csv options are only used with format: csv"},
  {"name: b\nkind: bulk-upsert\nsource:\n  path: /in/x\n  format: csv\n"
   "  csv: { delimiter: \"||\" }\ntarget: { account: main, database: d, container: c }\n",
   6, 21, "source.csv.delimiter", "expected a single character other than a quote or newline, "
   "got '||'"},
  {"name: b\nkind: bulk-upsert\nsource:\n  path: /in/x\n  format: csv\n"
   "  csv:\n    columns: { price: int }\ntarget: { account: main, database: d, container: c }\n",
   7, 23, "source.csv.columns.price", "invalid column type 'int'; expected string, number, "
   "boolean or json"},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\n"
   "retention: { keep_last: 0 }\n",
   5, 25, "retention.keep_last", "must be at least 1, got '0'"},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\n"
   "concurrency: { workers: 0 }\n",
   5, 25, "concurrency.workers", "must be at least 1, got '0'"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink: { type: jsonl, path: /o }\non_failure: ignore\n",
   5, 13, "on_failure", "invalid on_failure policy 'ignore'; expected dead-letter or stop"},
  {"name: a\nkind: key-backup\nname: b\nvault: main\ndestination: { path: /b }\n",
   3, 1, "name", "duplicate key 'name' (first at line 1)"},
  {"name: a\nkind: key-backup\nvault: [main\n",
   4, 1, "", "YAML syntax error: end of sequence flow not found", true},
  {"name: b\nkind: bulk-upsert\nsource: { path: \"${env:NO_SUCH_DIR}/x\" }\n"
   "target: { account: main, database: d, container: c }\n",
   3, 17, "source.path", "${env:NO_SUCH_DIR}: environment variable NO_SUCH_DIR is not set"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target:\n  account: main\n  database: d\n  container: c\n"
   "  create_if_missing: { partition_key: /pk, throughput: 100 }\n",
   8, 56, "target.create_if_missing.throughput", "must be at least 400, got '100'"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink: { type: exec, command: [] }\n",
   4, 30, "sink.command", "must not be empty"},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\n"
   "keys: { tags: [production] }\n",
   5, 15, "keys.tags", "expected a map, got a list"},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\n---\n"
   "name: c\nkind: key-backup\nvault: main\ndestination: { path: /b, mode: 0600 }\n",
   9, 26, "jobs[1].destination.mode", "unknown key 'mode' (known keys: encryption_key, path)"},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\n---\n"
   "name: a\nkind: key-backup\nvault: main\ndestination: { path: /c }\n",
   6, 7, "name", "duplicate job name 'a' (also defined at job.yaml:1:7)"},
  {"name: b\nkind: bulk-upsert\nsource: { path: /in/x }\n"
   "target: { account: main, database: d, container: c }\noperation: delete\ngenerate_id: true\n",
   6, 14, "generate_id", "generate_id only works with operation upsert or create"},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b, encryption_key: { v: x } }\n",
   4, 42, "destination.encryption_key", "expected a string (secret), got a map"},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b, encryption_key: short }\n",
   4, 42, "destination.encryption_key", "encryption key has 5 characters: ", true},
  {"name: a\nkind: change-feed\nsource:\nsink: { type: jsonl, path: /o }\n",
   3, 1, "source", "'source' has no value (give one or remove the key)"},
  {"name: \"a\\0b\"\nkind: key-backup\nvault: main\ndestination: { path: /b }\n",
   1, 7, "name", "invalid job name (value not shown): use letters", true},
  {"name: a\nkind: change-feed\nsource: { <<: {x: 1}, account: main, database: d, container: c }\n"
   "sink: { type: jsonl, path: /o }\n",
   3, 11, "source.<<", "YAML merge keys (<<) are not supported"},
  {"name: a\nkind: key-backup\nvault: main\n\tdestination: { path: /b }\n",
   4, 1, "", "YAML syntax error: ", true},
  {"name: a\nkind: key-backup\nvault: main\ndestination: { path: /b }\napi_version: latest\n",
   5, 14, "api_version", "invalid Key Vault API version 'latest' (expected e.g. 7.5, "
   "7.4-preview.1 or 2025-07-01)"},
  {"name: f\nkind: change-feed\nsource: { account: main, database: d, container: c }\n"
   "sink:\n  type: http\n  url: https://h\n  headers:\n    \"X Bad\": v\n",
   8, 5, "sink.headers.X Bad", "invalid HTTP header name 'X Bad'"},
  {"- name: a\n  kind: key-backup\n",
   1, 1, "", "expected a map, got a list"},
};

const bad_case config_cases[] = {
  {"log:\n  level: verbose\n",
   2, 10, "log.level", "invalid log level 'verbose'; expected trace, debug, info, warn or error"},
  {"log:\n  format: xml\n",
   2, 11, "log.format", "invalid log format 'xml'; expected logfmt or json"},
  {"admin:\n  listen: localhost\n",
   2, 11, "admin.listen", "expected host:port, got 'localhost'"},
  {"admin:\n  listen: \"127.0.0.1:99999\"\n",
   2, 11, "admin.listen", "expected host:port with a port 0..65535, got '127.0.0.1:99999'"},
  {"accounts:\n  main:\n    endpoint: https://a.documents.azure.com\n",
   3, 5, "accounts.main.key", "missing required key 'key' (or use connection_string, or "
   "credential for AAD)"},
  {"accounts:\n  main:\n    connection_string: \"AccountEndpoint=https://a/;AccountKey=a2V5;\"\n"
   "    endpoint: https://a.documents.azure.com\n",
   4, 5, "accounts.main.endpoint", "endpoint cannot be combined with connection_string"},
  {"accounts:\n  main:\n    connection_string: \"AccountEndpoint=https://a/;\"\n",
   3, 24, "accounts.main.connection_string", "invalid connection string: no AccountKey="},
  {"accounts:\n  main:\n    endpoint: acct.documents.azure.com\n    key: k\n",
   3, 15, "accounts.main.endpoint", "invalid URL: missing scheme (expected http:// or https://)"},
  {"vaults:\n  main:\n    url: https://v.vault.azure.net\n    credential: { type: password }\n",
   4, 25, "vaults.main.credential.type", "invalid credential type 'password'; expected "
   "client-secret, client-certificate, managed-identity, workload-identity or default"},
  {"vaults:\n  main:\n    url: https://v.vault.azure.net\n"
   "    credential: { type: client-secret, tenant_id: t, client_id: c }\n",
   4, 17, "vaults.main.credential.client_secret", "missing required key 'client_secret'"},
  {"vaults:\n  main:\n    url: https://v.vault.azure.net\n"
   "    credential:\n      type: managed-identity\n      client_secret: s\n",
   6, 7, "vaults.main.credential.client_secret", "client_secret is only used with type "
   "client-secret"},
  {"shutdown_timeout: 30\n",
   1, 19, "shutdown_timeout", "invalid duration '30': missing unit (expected e.g. 250ms, 30s, "
   "5m, 1h, 1d)"},
  {"job_dir: /etc/bulkd/jobs.d\n",
   1, 1, "job_dir", "unknown key 'job_dir' (did you mean 'jobs_dir'?)"},
  {"accounts:\n  - main\n",
   2, 3, "accounts", "expected a map, got a list"},
  {"accounts:\n  \"a b\": { endpoint: \"https://a\", key: k }\n",
   2, 3, "accounts.a b", "invalid name 'a b': use letters, digits, '.', '_' and '-'"},
  {"vaults:\n  main:\n    url: https://v.vault.azure.net\n    tls: { insecure_skip_verify: maybe }\n",
   4, 34, "vaults.main.tls.insecure_skip_verify", "expected true or false, got 'maybe'"},
  {"vaults:\n  main:\n    url: \"https://\"\n",
   3, 10, "vaults.main.url", "invalid URL: missing host"},
  {"admin:\n  listen: \"0.0.0.0:8686\"\n",
   2, 11, "admin.token", "a token is required when the admin API listens on a non-loopback "
   "address (0.0.0.0)"},
  {"state_dir: [a]\n",
   1, 12, "state_dir", "expected a string, got a list"},
};
// clang-format on

} // namespace

TEST_CASE("bad job specs name position, key path and problem", "[jobs][spec][bad]") {
  for (size_t i = 0; i < std::size(job_cases); ++i) {
    DYNAMIC_SECTION("job case " << i) {
      check_case(job_cases[i], false);
    }
  }
}

TEST_CASE("bad daemon configs name position, key path and problem", "[jobs][config][bad]") {
  for (size_t i = 0; i < std::size(config_cases); ++i) {
    DYNAMIC_SECTION("config case " << i) {
      check_case(config_cases[i], true);
    }
  }
}
