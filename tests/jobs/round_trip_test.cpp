// Every field survives load -> print -> load; the examples in config/ load.

#include "jobs/spec_loader.hpp"
#include "jobs/spec_printer.hpp"
#include "tests/jobs/spec_test_support.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace std::chrono_literals;

namespace {

constexpr const char* full_config = R"(
state_dir: /srv/bulkd/state
jobs_dir: /srv/bulkd/jobs
shutdown_timeout: 45s
admin: { listen: "[::1]:9090", token: "tok-en" }
log: { level: warn, format: json }
accounts:
  main:
    endpoint: "https://acct.documents.azure.com:443/"
    key: "a2V5"
    tls: { ca_file: /etc/ca.pem, insecure_skip_verify: true }
  reporting:
    connection_string: "AccountEndpoint=https://rep.documents.azure.com:443/;AccountKey=cmVw;"
  aad:
    endpoint: "https://aad.documents.azure.com/"
    credential: { type: managed-identity, client_id: mi-client }
vaults:
  main:
    url: "https://myvault.vault.azure.net"
    credential:
      type: client-secret
      tenant_id: tenant-1
      client_id: client-1
      client_secret: "s3cret $${literal} $5"
      authority_host: "https://login.example.com"
  cert:
    url: "https://cert.vault.azure.net"
    credential: { type: client-certificate, tenant_id: t, client_id: c, certificate_file: /c.pem }
    tls: { insecure_skip_verify: false, ca_file: /ca2.pem }
  plain:
    url: "http://127.0.0.1:8081"
)";

constexpr const char* full_jobs = R"(
name: load-products
kind: bulk-upsert
schedule: "*/15 2-4 * * 1-5"
source:
  path: "/in/products-[0-9]*.csv.gz"
  format: csv
  compression: gzip
  csv:
    delimiter: ";"
    columns: { sku: string, price: number, active: boolean, attrs: json }
target:
  account: main
  database: shop
  container: products
  create_if_missing: { partition_key: /category, throughput: 1000 }
id_path: /sku
generate_id: true
partition_key_path: /category
operation: upsert
concurrency: { max_in_flight: 8, mailbox: 4, batch: 50 }
rate_limit: { max_ru_per_second: 2500 }
retry: { max_attempts: 3, initial_backoff: 250ms, max_backoff: 2m }
dead_letter: { path: /dl/products.jsonl }
checkpoint_interval: 1500ms
---
name: patch-prices
kind: bulk-upsert
source: { path: /in/prices.json, format: json-array, compression: none }
target: { account: aad, database: shop, container: products }
operation: patch
patch:
  operations:
    - { op: set, path: /price, value_from: /new_price }
    - { op: incr, path: /version, value_from: /one }
    - { op: remove, path: /stale }
    - { op: add, path: /tags/-, value_from: /tag }
    - { op: replace, path: /name, value_from: /name }
---
name: orders-feed
kind: change-feed
source: { account: main, database: shop, container: orders, start_from: "2026-01-31T13:00:00.5+01:00" }
leases:
  store: cosmos
  container: leases
  renew_interval: 5s
  acquire_interval: 7s
  expiration: 1m
  instance_name: node-1
poll_interval: 250ms
max_batch: 1000
sink:
  type: http
  url: "https://hooks.example.com/orders?x=1"
  headers: { Authorization: "Bearer abc", X-Source: bulkd }
  timeout: 10s
  retry: { max_attempts: 2, initial_backoff: 1s, max_backoff: 1s }
on_failure: dead-letter
dead_letter: { path: /dl/orders.jsonl }
retry: { max_attempts: 4, initial_backoff: 50ms, max_backoff: 5s }
---
name: orders-copy
kind: change-feed
source: { account: reporting, database: shop, container: orders, start_from: beginning }
leases: { store: cosmos, account: main, database: leases-db, container: leases }
sink: { type: cosmos, account: main, database: archive, container: orders }
---
name: orders-exec
kind: change-feed
source: { account: main, database: shop, container: orders, start_from: now }
sink: { type: exec, command: "consume --from stdin | tee /tmp/x", timeout: 2m }
---
name: orders-argv
kind: change-feed
source: { account: main, database: shop, container: orders }
sink: { type: exec, command: ["/bin/consume", "--fast", "$${HOME}"] }
---
name: orders-file
kind: change-feed
source: { account: main, database: shop, container: orders }
leases: { store: file }
sink: { type: jsonl, path: /feeds/orders.jsonl, rotate: 1GB, fsync: false }
---
name: nightly-keys
kind: key-backup
schedule: "@daily"
vault: main
keys: { include: ["app-*", "db-?"], exclude: ["tmp-*", "[!a]*"], tags: { env: prod, team: core } }
destination: { path: /backups/keys, encryption_key: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" }
retention: { keep_last: 14 }
concurrency: { workers: 4 }
retry: { max_attempts: 6, initial_backoff: 1s, max_backoff: 16s }
api_version: "7.4"
---
name: all-keys
kind: key-backup
vault: cert
destination: { path: /backups/all }
)";

} // namespace

TEST_CASE("a daemon config with every field round-trips", "[jobs][roundtrip]") {
  auto ctx = test::fake_context();
  auto first = parse_daemon_config(full_config, "full.yaml", ctx);
  INFO(test::all(first.diags));
  REQUIRE(first.ok());
  auto& cfg = *first.value;
  CHECK(cfg.state_dir == "/srv/bulkd/state");
  CHECK(cfg.shutdown_timeout == 45s);
  CHECK(cfg.admin.host == "::1");
  CHECK(cfg.admin.port == 9090);
  CHECK(cfg.admin.token.reveal() == "tok-en");
  CHECK(cfg.log.level == log_level::warn);
  CHECK(cfg.log.format == log_format::json);
  auto& rep = cfg.accounts.at("reporting");
  CHECK(rep.auth == account_auth::connection_string);
  CHECK(rep.endpoint == "https://rep.documents.azure.com:443/");
  CHECK(rep.key.reveal() == "cmVw");
  CHECK(cfg.accounts.at("aad").auth == account_auth::credential);
  CHECK(cfg.accounts.at("aad").credential.type == credential_type::managed_identity);
  CHECK(cfg.accounts.at("main").tls.insecure_skip_verify);
  CHECK(cfg.vaults.at("main").credential.client_secret.reveal() == "s3cret ${literal} $5");
  CHECK(cfg.vaults.at("plain").credential.type == credential_type::default_chain);
  CHECK(cfg.vaults.at("plain").credential.authority_host == default_authority_host);

  auto printed = print_daemon_config(cfg, {.reveal_secrets = true});
  auto second = parse_daemon_config(printed, "printed.yaml", ctx);
  INFO(printed);
  INFO(test::all(second.diags));
  REQUIRE(second.ok());
  CHECK(*second.value == cfg);
  // Printing is stable.
  CHECK(print_daemon_config(*second.value, {.reveal_secrets = true}) == printed);
}

TEST_CASE("job specs with every field round-trip", "[jobs][roundtrip]") {
  auto ctx = test::fake_context();
  auto cfg = parse_daemon_config(full_config, "full.yaml", ctx);
  REQUIRE(cfg.ok());
  auto first = parse_job_file(full_jobs, "jobs.yaml", &*cfg.value, ctx);
  INFO(test::all(first.diags));
  REQUIRE(first.ok());
  auto& jobs = *first.value;
  REQUIRE(jobs.size() == 9);

  auto& load = std::get<bulk_upsert_spec>(jobs[0].body);
  CHECK(jobs[0].schedule == "*/15 2-4 * * 1-5");
  CHECK(load.source.format == input_format::csv);
  CHECK(load.source.compression == input_compression::gzip);
  CHECK(load.source.csv.delimiter == ';');
  REQUIRE(load.source.csv.columns.size() == 4);
  CHECK(load.source.csv.columns[1].name == "price");
  CHECK(load.source.csv.columns[1].type == csv_column_type::number);
  CHECK(load.target.create_if_missing->throughput == 1000u);
  CHECK(load.generate_id);
  CHECK(load.max_ru_per_second == 2500u);
  CHECK(load.concurrency.batch == 50);
  CHECK(load.retry.max_backoff == 2min);
  CHECK(load.checkpoint_interval == 1500ms);
  auto& patch = std::get<bulk_upsert_spec>(jobs[1].body);
  REQUIRE(patch.patch.size() == 5);
  CHECK(patch.patch[1].op == patch_op::incr);
  CHECK(patch.patch[2].value_from.empty());
  auto& feed = std::get<change_feed_spec>(jobs[2].body);
  CHECK(feed.source.start_from.kind == start_position::time);
  CHECK(format_rfc3339(feed.source.start_from.at) == "2026-01-31T12:00:00.500Z");
  CHECK(feed.leases.container.account == "main"); // defaulted from the source
  CHECK(feed.leases.container.database == "shop");
  CHECK(feed.leases.expiration == 60s);
  auto& http = std::get<http_sink>(feed.sink);
  CHECK(http.headers.at("Authorization").reveal() == "Bearer abc");
  CHECK(feed.on_failure == failure_policy::dead_letter);
  auto& copy = std::get<change_feed_spec>(jobs[3].body);
  CHECK(copy.leases.container.database == "leases-db");
  CHECK(std::get<cosmos_sink>(copy.sink).target.database == "archive");
  auto& exec = std::get<exec_sink>(std::get<change_feed_spec>(jobs[4].body).sink);
  CHECK(exec.command ==
        std::vector<std::string>{"/bin/sh", "-c", "consume --from stdin | tee /tmp/x"});
  auto& argv = std::get<exec_sink>(std::get<change_feed_spec>(jobs[5].body).sink);
  CHECK(argv.command == std::vector<std::string>{"/bin/consume", "--fast", "${HOME}"});
  auto& file = std::get<change_feed_spec>(jobs[6].body);
  CHECK(std::get<jsonl_sink>(file.sink).rotate == 1'000'000'000u);
  CHECK_FALSE(std::get<jsonl_sink>(file.sink).fsync);
  CHECK(file.source.start_from.kind == start_position::now);
  auto& keys = std::get<key_backup_spec>(jobs[7].body);
  CHECK(keys.keys.exclude == std::vector<std::string>{"tmp-*", "[!a]*"});
  CHECK(keys.keys.tags.at("team") == "core");
  CHECK(keys.keep_last == 14u);
  CHECK(keys.api_version == "7.4");
  auto& all = std::get<key_backup_spec>(jobs[8].body);
  CHECK(all.keys.include == std::vector<std::string>{"*"});
  CHECK_FALSE(all.keep_last);
  CHECK(all.workers == 16);
  CHECK(all.api_version == default_keyvault_api_version);

  auto printed = print_jobs(jobs, {.reveal_secrets = true});
  auto second = parse_job_file(printed, "printed.yaml", &*cfg.value, ctx);
  INFO(printed);
  INFO(test::all(second.diags));
  REQUIRE(second.ok());
  REQUIRE(second.value->size() == jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    INFO("job " << jobs[i].name);
    CHECK((*second.value)[i] == jobs[i]);
  }
  CHECK(print_jobs(*second.value, {.reveal_secrets = true}) == printed);
}

TEST_CASE("defaults are filled in", "[jobs][defaults]") {
  auto r = parse_job_file("name: b\nkind: bulk-upsert\nsource: { path: /in/x.jsonl }\n"
                          "target: { account: main, database: d, container: c }\n",
                          "job.yaml", nullptr, test::fake_context());
  REQUIRE(r.ok());
  auto& b = std::get<bulk_upsert_spec>(r.value->at(0).body);
  CHECK(b.id_path == "/id");
  CHECK(b.operation == write_operation::upsert);
  CHECK(b.source.compression == input_compression::auto_detect);
  CHECK(b.concurrency == bulk_concurrency{32, 16, 100});
  CHECK(b.retry == retry_policy{10, 100ms, 30s});
  CHECK(b.checkpoint_interval == 5s);
  CHECK_FALSE(b.max_ru_per_second);
  CHECK(r.value->at(0).schedule.empty());
  auto c = parse_daemon_config("", "empty.yaml", test::fake_context());
  REQUIRE(c.ok());
  CHECK(c.value->shutdown_timeout == 30s);
  CHECK(c.value->admin.host == "127.0.0.1");
  CHECK(c.value->admin.port == 8686);
  CHECK(c.value->log.level == log_level::info);
  CHECK(c.value->jobs_dir == "/etc/bulkd/jobs.d");
}

TEST_CASE("the example configs load", "[jobs][examples]") {
  auto ctx = test::fake_context();
  ctx.defer_missing_credentials = true; // the examples use ${credential:...}
  std::string root = BULKD_SOURCE_DIR;
  auto cfg = load_daemon_config(root + "/config/bulkd.yaml", ctx);
  INFO(test::all(cfg.diags));
  REQUIRE(cfg.ok());
  CHECK(count(cfg.diags, severity::warning) == 3); // three credentials not checked
  CHECK(cfg.value->accounts.count("main"));
  CHECK(cfg.value->vaults.at("main").credential.type == credential_type::client_secret);

  auto jobs = load_jobs_dir(root + "/config/jobs.d", *cfg.value, ctx);
  INFO(test::all(jobs.diags));
  REQUIRE(jobs.ok());
  REQUIRE(jobs.value->size() == 3);
  CHECK(jobs.value->at(0).name == "load-products");
  CHECK(jobs.value->at(0).kind() == job_kind::bulk_upsert);
  CHECK(jobs.value->at(1).name == "nightly-keys");
  CHECK(jobs.value->at(1).kind() == job_kind::key_backup);
  CHECK(jobs.value->at(2).name == "orders-feed");
  CHECK(jobs.value->at(2).kind() == job_kind::change_feed);
  CHECK(jobs.value->at(2).origin.file == root + "/config/jobs.d/orders-feed.yaml");
  CHECK(jobs.value->at(2).origin.line == 2);

  auto dev = load_daemon_config(root + "/config/dev/bulkd.yaml", ctx);
  INFO(test::all(dev.diags));
  REQUIRE(dev.ok());
  CHECK(dev.diags.empty());
  auto& acct = dev.value->accounts.at("dev");
  CHECK(acct.endpoint == "http://127.0.0.1:8081");
  CHECK(acct.key.reveal() ==
        "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==");
  auto& vault = dev.value->vaults.at("dev");
  CHECK(vault.credential.tenant_id == "00000000-0000-0000-0000-000000000000");
  CHECK(vault.credential.client_id == "bulkd-dev");
  CHECK(vault.credential.client_secret.reveal() == "bulkd-dev-secret");
  CHECK(vault.credential.authority_host == "http://127.0.0.1:8081");
  CHECK(dev.value->admin.port == 8686);
  CHECK(dev.value->resolve_path(dev.value->jobs_dir) == root + "/config/dev/jobs.d");
  CHECK(dev.value->resolve_job_path("feeds/x.jsonl") == root + "/config/dev/state/feeds/x.jsonl");
  CHECK(dev.value->resolve_job_path("/abs/x") == "/abs/x");

  auto dev_jobs = load_configured_jobs(*dev.value, ctx);
  INFO(test::all(dev_jobs.diags));
  REQUIRE(dev_jobs.ok());
  CHECK(dev_jobs.diags.empty());
  REQUIRE(dev_jobs.value->size() == 3);
  CHECK(dev_jobs.value->at(0).name == "backup-keys");
  CHECK(dev_jobs.value->at(1).name == "load-products");
  CHECK(dev_jobs.value->at(2).name == "products-feed");
}

TEST_CASE("schedules and globs of loaded specs compile", "[jobs][typed]") {
  auto r = parse_job_file("name: a\nkind: key-backup\nschedule: \"30 2 * * *\"\nvault: v\n"
                          "keys: { include: [\"app-*\", \"db-?\"], exclude: tmp-* }\n"
                          "destination: { path: /b }\n",
                          "job.yaml", nullptr, test::fake_context());
  REQUIRE(r.ok());
  auto& job = r.value->at(0);
  auto schedule = parsed_schedule(job);
  REQUIRE(schedule);
  CHECK(schedule->text() == "30 2 * * *");
  auto& keys = std::get<key_backup_spec>(job.body).keys;
  auto include = parsed_globs(keys.include);
  REQUIRE(include.size() == 2);
  CHECK(include[0].matches("app-orders"));
  CHECK_FALSE(include[1].matches("db-10"));
  CHECK(parsed_globs(keys.exclude).at(0).matches("tmp-1"));
  job.schedule.clear();
  CHECK_FALSE(parsed_schedule(job));
}
