#include "jobs/spec_readers.hpp"

namespace bulkd::detail {

namespace {

void read_csv(yaml::map_reader& source, csv_options& out) {
  auto n = source.get("csv");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{source.rd(), n, source.path("csv")};
  auto& r = m.rd();
  if (auto d = m.get("delimiter"); d.IsDefined())
    if (auto v = r.text(d, m.path("delimiter"))) {
      if (v->size() != 1 || *v == "\"" || *v == "\n" || *v == "\r")
        r.error(d, m.path("delimiter"),
                "expected a single character other than a quote or newline, got " + r.quote(d));
      else
        out.delimiter = v->front();
    }
  if (auto cols = m.get("columns"); cols.IsDefined()) {
    auto path = m.path("columns");
    if (!cols.IsMap()) {
      r.error(cols, path,
              std::string{"expected a map of column name to type, got "} + yaml::type_name(cols));
    } else {
      for (auto it = cols.begin(); it != cols.end(); ++it) {
        auto name = it->first.Scalar();
        auto p = yaml::join(path, name);
        auto dup = std::find_if(out.columns.begin(), out.columns.end(),
                                [&](const csv_column& c) { return c.name == name; });
        if (dup != out.columns.end()) {
          r.error(it->first, p, "duplicate column '" + name + "'");
          continue;
        }
        if (auto t = r.enumeration<csv_column_type>(it->second, p, "column type"))
          out.columns.push_back({name, *t});
      }
    }
  }
  m.finish();
}

void read_source(yaml::map_reader& root, input_source& out) {
  auto n = root.require("source");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{root.rd(), n, root.path("source")};
  if (!m.ok())
    return;
  m.read("path", out.path, true);
  if (!out.path.empty())
    check_glob(m.rd(), m.get("path"), m.path("path"), out.path);
  m.read_enum("format", out.format, "format");
  m.read_enum("compression", out.compression, "compression");
  if (out.format == input_format::csv)
    read_csv(m, out.csv);
  else
    m.reject("csv", "csv options are only used with format: csv");
  m.finish();
}

void read_target(yaml::map_reader& root, bulk_target& out, const daemon_config* config) {
  auto n = root.require("target");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{root.rd(), n, root.path("target")};
  if (!m.ok())
    return;
  read_container_ref(m, out, config);
  if (auto c = m.get("create_if_missing"); c.IsDefined()) {
    yaml::map_reader cm{m.rd(), c, m.path("create_if_missing")};
    create_if_missing_spec spec;
    cm.read("partition_key", spec.partition_key, true);
    if (!spec.partition_key.empty())
      check_json_pointer(cm.rd(), cm.get("partition_key"), cm.path("partition_key"),
                         spec.partition_key);
    if (cm.has("throughput")) {
      uint32_t tp = 0;
      cm.read_int("throughput", tp, 400, 1'000'000);
      if (tp != 0)
        spec.throughput = tp;
    }
    cm.finish();
    out.create_if_missing = std::move(spec);
  }
  m.finish();
}

void read_patch(yaml::map_reader& root, std::vector<patch_operation>& out) {
  auto n = root.require("patch");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{root.rd(), n, root.path("patch")};
  auto& r = m.rd();
  auto ops = m.require("operations");
  auto path = m.path("operations");
  if (ops.IsDefined() && !ops.IsSequence()) {
    r.error(ops, path, std::string{"expected a list of operations, got "} + yaml::type_name(ops));
  } else if (ops.IsDefined() && ops.size() == 0) {
    r.error(ops, path, "must hold at least one operation");
  } else if (ops.IsDefined()) {
    for (size_t i = 0; i < ops.size(); ++i) {
      yaml::map_reader om{r, ops[i], yaml::join(path, "[" + std::to_string(i) + "]")};
      if (!om.ok())
        continue;
      patch_operation op;
      if (om.require("op").IsDefined())
        om.read_enum("op", op.op, "patch op");
      om.read("path", op.path, true);
      if (!op.path.empty())
        check_json_pointer(r, om.get("path"), om.path("path"), op.path);
      if (op.op == patch_op::remove) {
        om.reject("value_from", "value_from is not used with op remove");
      } else {
        om.read("value_from", op.value_from, true);
        if (!op.value_from.empty())
          check_json_pointer(r, om.get("value_from"), om.path("value_from"), op.value_from);
      }
      om.finish();
      out.push_back(std::move(op));
    }
  }
  m.finish();
}

} // namespace

void read_bulk_upsert(yaml::map_reader& root, bulk_upsert_spec& out, const daemon_config* config) {
  auto& r = root.rd();
  read_source(root, out.source);
  read_target(root, out.target, config);
  if (auto n = root.get("id_path"); n.IsDefined()) {
    root.read("id_path", out.id_path);
    check_json_pointer(r, n, root.path("id_path"), out.id_path);
  }
  root.read("generate_id", out.generate_id);
  if (auto n = root.get("partition_key_path"); n.IsDefined()) {
    root.read("partition_key_path", out.partition_key_path);
    if (!out.partition_key_path.empty())
      check_json_pointer(r, n, root.path("partition_key_path"), out.partition_key_path);
  }
  root.read_enum("operation", out.operation, "operation");
  if (out.operation == write_operation::patch)
    read_patch(root, out.patch);
  else
    root.reject("patch", "patch is only used with operation: patch");
  if (out.generate_id && out.operation != write_operation::upsert &&
      out.operation != write_operation::create)
    r.error(root.get("generate_id"), root.path("generate_id"),
            "generate_id only works with operation upsert or create");
  if (auto n = root.get("concurrency"); n.IsDefined()) {
    yaml::map_reader m{r, n, root.path("concurrency")};
    m.read_int("max_in_flight", out.concurrency.max_in_flight, 1, 10'000);
    m.read_int("mailbox", out.concurrency.mailbox, 1, 1024);
    m.read_int("batch", out.concurrency.batch, 1, 100);
    m.finish();
  }
  if (auto n = root.get("rate_limit"); n.IsDefined()) {
    yaml::map_reader m{r, n, root.path("rate_limit")};
    if (auto v = m.require("max_ru_per_second"); v.IsDefined())
      if (auto ru = r.integer(v, m.path("max_ru_per_second"), 1, 100'000'000))
        out.max_ru_per_second = *ru;
    m.finish();
  }
  read_retry(root, "retry", out.retry);
  read_dead_letter(root, out.dead_letter);
  root.read("checkpoint_interval", out.checkpoint_interval, std::chrono::milliseconds{100});
}

} // namespace bulkd::detail
