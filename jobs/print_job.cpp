#include "jobs/byte_size.hpp"
#include "jobs/spec_emitter.hpp"

namespace bulkd {

namespace {

void print_body(detail::spec_emitter& e, const bulk_upsert_spec& s) {
  e.begin_map("source");
  e.field("path", s.source.path);
  e.enum_field("format", s.source.format);
  e.enum_field("compression", s.source.compression);
  if (s.source.format == input_format::csv) {
    e.begin_map("csv");
    e.field("delimiter", std::string(1, s.source.csv.delimiter));
    if (!s.source.csv.columns.empty()) {
      e.begin_map("columns");
      for (auto& c : s.source.csv.columns)
        e.enum_field(c.name, c.type);
      e.end_map();
    }
    e.end_map();
  }
  e.end_map();
  e.begin_map("target");
  e.container(s.target);
  if (s.target.create_if_missing) {
    e.begin_map("create_if_missing");
    e.field("partition_key", s.target.create_if_missing->partition_key);
    if (s.target.create_if_missing->throughput)
      e.field("throughput", uint64_t{*s.target.create_if_missing->throughput});
    e.end_map();
  }
  e.end_map();
  e.field("id_path", s.id_path);
  e.field("generate_id", s.generate_id);
  if (!s.partition_key_path.empty())
    e.field("partition_key_path", s.partition_key_path);
  e.enum_field("operation", s.operation);
  if (s.operation == write_operation::patch) {
    e.begin_map("patch");
    e.key("operations");
    e.out() << YAML::BeginSeq;
    for (auto& op : s.patch) {
      e.begin_map();
      e.enum_field("op", op.op);
      e.field("path", op.path);
      if (op.op != patch_op::remove)
        e.field("value_from", op.value_from);
      e.end_map();
    }
    e.out() << YAML::EndSeq;
    e.end_map();
  }
  e.begin_map("concurrency");
  e.field("max_in_flight", uint64_t{s.concurrency.max_in_flight});
  e.field("mailbox", uint64_t{s.concurrency.mailbox});
  e.field("batch", uint64_t{s.concurrency.batch});
  e.end_map();
  if (s.max_ru_per_second) {
    e.begin_map("rate_limit");
    e.field("max_ru_per_second", *s.max_ru_per_second);
    e.end_map();
  }
  e.retry("retry", s.retry);
  if (!s.dead_letter.path.empty()) {
    e.begin_map("dead_letter");
    e.field("path", s.dead_letter.path);
    e.end_map();
  }
  e.field("checkpoint_interval", s.checkpoint_interval);
}

void print_sink(detail::spec_emitter& e, const sink_spec& sink) {
  e.begin_map("sink");
  e.field("type", sink_type_name(sink));
  if (auto* s = std::get_if<jsonl_sink>(&sink)) {
    e.field("path", s->path);
    if (s->rotate) {
      e.key("rotate");
      e.out() << format_byte_size(*s->rotate);
    }
    e.field("fsync", s->fsync);
  } else if (auto* s = std::get_if<http_sink>(&sink)) {
    e.field("url", s->url);
    if (!s->headers.empty()) {
      e.begin_map("headers");
      for (auto& [k, v] : s->headers)
        e.field(k, v);
      e.end_map();
    }
    e.field("timeout", s->timeout);
    e.retry("retry", s->retry);
  } else if (auto* s = std::get_if<cosmos_sink>(&sink)) {
    e.container(s->target);
  } else if (auto* s = std::get_if<exec_sink>(&sink)) {
    e.key("command");
    e.out() << YAML::BeginSeq;
    for (auto& arg : s->command)
      e.string_value(arg);
    e.out() << YAML::EndSeq;
    e.field("timeout", s->timeout);
  }
  e.end_map();
}

void print_body(detail::spec_emitter& e, const change_feed_spec& s) {
  e.begin_map("source");
  e.container(s.source);
  switch (s.source.start_from.kind) {
  case start_position::beginning:
    e.field("start_from", "beginning");
    break;
  case start_position::now:
    e.field("start_from", "now");
    break;
  case start_position::time:
    e.field("start_from", format_rfc3339(s.source.start_from.at));
    break;
  }
  e.end_map();
  e.begin_map("leases");
  e.enum_field("store", s.leases.store);
  if (s.leases.store == lease_store_kind::cosmos)
    e.container(s.leases.container);
  e.field("renew_interval", s.leases.renew_interval);
  e.field("acquire_interval", s.leases.acquire_interval);
  e.field("expiration", s.leases.expiration);
  if (!s.leases.instance_name.empty())
    e.field("instance_name", s.leases.instance_name);
  e.end_map();
  e.field("poll_interval", s.poll_interval);
  e.field("max_batch", uint64_t{s.max_batch});
  print_sink(e, s.sink);
  e.enum_field("on_failure", s.on_failure);
  if (!s.dead_letter.path.empty()) {
    e.begin_map("dead_letter");
    e.field("path", s.dead_letter.path);
    e.end_map();
  }
  e.retry("retry", s.retry);
}

void string_seq(detail::spec_emitter& e, std::string_view key, const std::vector<std::string>& v) {
  e.key(key);
  e.out() << YAML::Flow << YAML::BeginSeq;
  for (auto& s : v)
    e.string_value(s);
  e.out() << YAML::EndSeq;
}

void print_body(detail::spec_emitter& e, const key_backup_spec& s) {
  e.field("vault", s.vault);
  e.begin_map("keys");
  string_seq(e, "include", s.keys.include);
  if (!s.keys.exclude.empty())
    string_seq(e, "exclude", s.keys.exclude);
  if (!s.keys.tags.empty()) {
    e.begin_map("tags");
    for (auto& [k, v] : s.keys.tags)
      e.field(k, v);
    e.end_map();
  }
  e.end_map();
  e.begin_map("destination");
  e.field("path", s.destination.path);
  if (!s.destination.encryption_key.empty())
    e.field("encryption_key", s.destination.encryption_key);
  e.end_map();
  if (s.keep_last) {
    e.begin_map("retention");
    e.field("keep_last", uint64_t{*s.keep_last});
    e.end_map();
  }
  e.begin_map("concurrency");
  e.field("workers", uint64_t{s.workers});
  e.end_map();
  e.retry("retry", s.retry);
  e.field("api_version", s.api_version);
}

} // namespace

std::string print_job(const job_spec& job, print_options opts) {
  detail::spec_emitter e{opts};
  e.begin_map();
  e.field("name", job.name);
  e.enum_field("kind", job.kind());
  if (!job.schedule.empty())
    e.field("schedule", job.schedule);
  std::visit([&](const auto& body) { print_body(e, body); }, job.body);
  e.end_map();
  return e.str() + "\n";
}

std::string print_jobs(const std::vector<job_spec>& jobs, print_options opts) {
  std::string out;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (i > 0)
      out += "---\n";
    out += print_job(jobs[i], opts);
  }
  return out;
}

} // namespace bulkd
