#include "daemon/job_configs.hpp"

#include "clients/error.hpp"
#include "jobs/bulk_upsert/bulk_checkpoint.hpp"
#include "jobs/change_feed/lease_file.hpp"

#include <unistd.h>

namespace bulkd {

namespace {

caf::expected<account_config> find_account(const daemon_config& config, const std::string& name,
                                           const char* what) {
  auto it = config.accounts.find(name);
  if (it == config.accounts.end())
    return make_error(ec::invalid_argument,
                      std::string{what} + "account '" + name + "' is not defined in the config");
  return it->second;
}

std::string dead_letter_file(const daemon_config& config, const job_spec& job,
                             const dead_letter_spec& spec) {
  return config.resolve_job_path(spec.path.empty() ? "dead-letter/" + job.name + ".jsonl"
                                                   : spec.path);
}

std::string host_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
    return "bulkd";
  return host;
}

} // namespace

caf::expected<bulk_job_config> make_bulk_job_config(const daemon_config& config,
                                                    const job_spec& job) {
  auto spec = std::get<bulk_upsert_spec>(job.body);
  auto account = find_account(config, spec.target.account, "");
  if (!account)
    return account.error();
  spec.source.path = config.resolve_job_path(spec.source.path);
  bulk_job_config jc;
  jc.name = job.name;
  jc.account = std::move(*account);
  jc.checkpoint_file = bulk_checkpoint_path(config.resolve_path(config.state_dir), job.name);
  jc.dead_letter_file = dead_letter_file(config, job, spec.dead_letter);
  jc.spec = std::move(spec);
  jc.drain_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(config.shutdown_timeout);
  return jc;
}

caf::expected<change_feed_job_config> make_change_feed_job_config(const daemon_config& config,
                                                                  const job_spec& job) {
  auto spec = std::get<change_feed_spec>(job.body);
  change_feed_job_config jc;
  auto source = find_account(config, spec.source.account, "source ");
  if (!source)
    return source.error();
  jc.account = std::move(*source);
  if (spec.leases.store == lease_store_kind::cosmos) {
    auto leases = find_account(config, spec.leases.container.account, "lease ");
    if (!leases)
      return leases.error();
    jc.lease_account = std::move(*leases);
  }
  if (auto* cosmos = std::get_if<cosmos_sink>(&spec.sink)) {
    auto sink = find_account(config, cosmos->target.account, "sink ");
    if (!sink)
      return sink.error();
    jc.sink_account = std::move(*sink);
  }
  if (auto* jsonl = std::get_if<jsonl_sink>(&spec.sink))
    jsonl->path = config.resolve_job_path(jsonl->path);
  jc.name = job.name;
  jc.lease_file = lease_file_path(config.resolve_path(config.state_dir), job.name).string();
  jc.dead_letter_file = dead_letter_file(config, job, spec.dead_letter);
  jc.instance = spec.leases.instance_name.empty() ? host_name() : spec.leases.instance_name;
  jc.spec = std::move(spec);
  return jc;
}

} // namespace bulkd
