#include "jobs/error_text.hpp"
#include "jobs/spec_readers.hpp"
#include "jobs/timestamp.hpp"

#include <cctype>

namespace bulkd::detail {

namespace {

bool valid_header_name(const std::string& name) {
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  if (name.empty())
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && extra.find(c) == std::string_view::npos)
      return false;
  return true;
}

void read_source(yaml::map_reader& root, feed_source& out, const daemon_config* config) {
  auto n = root.require("source");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{root.rd(), n, root.path("source")};
  if (!m.ok())
    return;
  auto& r = m.rd();
  read_container_ref(m, out, config);
  if (auto s = m.get("start_from"); s.IsDefined())
    if (auto t = r.string(s, m.path("start_from"))) {
      if (*t == "beginning") {
        out.start_from.kind = start_position::beginning;
      } else if (*t == "now") {
        out.start_from.kind = start_position::now;
      } else if (auto at = parse_rfc3339(*t)) {
        out.start_from.kind = start_position::time;
        out.start_from.at = *at;
      } else {
        r.error(s, m.path("start_from"),
                "expected beginning, now or an RFC 3339 time; " + error_text(at.error()));
      }
    }
  m.finish();
}

void read_leases(yaml::map_reader& root, lease_spec& out, const feed_source& source,
                 const daemon_config* config) {
  auto n = root.get("leases");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{root.rd(), n, root.path("leases")};
  if (!m.ok())
    return;
  auto& r = m.rd();
  m.read_enum("store", out.store, "lease store");
  if (out.store == lease_store_kind::cosmos) {
    out.container.account = source.account;
    out.container.database = source.database;
    m.read("account", out.container.account);
    if (auto a = m.get("account"); a.IsDefined() && !out.container.account.empty())
      check_reference(r, a, m.path("account"), out.container.account, ref_kind::account, config);
    m.read("database", out.container.database);
    m.read("container", out.container.container, true);
  } else {
    for (auto key : {"account", "database", "container"})
      m.reject(key, std::string{key} + " is only used with store: cosmos");
  }
  m.read("renew_interval", out.renew_interval, std::chrono::milliseconds{100});
  m.read("acquire_interval", out.acquire_interval, std::chrono::milliseconds{100});
  m.read("expiration", out.expiration, std::chrono::milliseconds{100});
  if (out.expiration <= out.renew_interval)
    r.error(m.get("expiration").IsDefined() ? m.get("expiration") : n, m.path("expiration"),
            "must be longer than renew_interval (" + format_duration(out.renew_interval) + ")");
  m.read("instance_name", out.instance_name);
  m.finish();
}

void read_sink(yaml::map_reader& root, sink_spec& out, const daemon_config* config) {
  auto n = root.require("sink");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{root.rd(), n, root.path("sink")};
  if (!m.ok())
    return;
  auto& r = m.rd();
  auto type_node = m.require("type");
  if (!type_node.IsDefined()) {
    m.allow({"path", "rotate", "fsync", "url", "headers", "timeout", "retry", "account", "database",
             "container", "command"});
    return;
  }
  auto type = r.string(type_node, m.path("type"));
  if (!type)
    return;
  if (*type == "jsonl") {
    jsonl_sink s;
    m.read("path", s.path, true);
    if (auto v = m.get("rotate"); v.IsDefined())
      if (auto size = r.byte_size(v, m.path("rotate")))
        s.rotate = *size;
    m.read("fsync", s.fsync);
    out = std::move(s);
  } else if (*type == "http") {
    http_sink s;
    if (auto u = m.require("url"); u.IsDefined())
      if (auto v = r.url(u, m.path("url")))
        s.url = *v;
    if (auto h = m.get("headers"); h.IsDefined())
      if (auto v = r.string_map(h, m.path("headers"), true))
        for (auto& [k, val] : *v) {
          if (!valid_header_name(k)) {
            for (auto it = h.begin(); it != h.end(); ++it)
              if (it->first.Scalar() == k)
                r.error(it->first, m.path("headers") + "." + k,
                        "invalid HTTP header name '" + k + "'");
            continue;
          }
          s.headers.emplace(k, secret{val});
        }
    m.read("timeout", s.timeout, std::chrono::milliseconds{1});
    read_retry(m, "retry", s.retry);
    out = std::move(s);
  } else if (*type == "cosmos") {
    cosmos_sink s;
    read_container_ref(m, s.target, config);
    out = std::move(s);
  } else if (*type == "exec") {
    exec_sink s;
    if (auto c = m.require("command"); c.IsDefined()) {
      if (c.IsScalar()) {
        if (auto v = r.string(c, m.path("command")))
          s.command = {"/bin/sh", "-c", *v};
      } else if (auto v = r.string_list(c, m.path("command"))) {
        if (v->empty())
          r.error(c, m.path("command"), "must not be empty");
        s.command = std::move(*v);
      }
    }
    m.read("timeout", s.timeout, std::chrono::milliseconds{1});
    out = std::move(s);
  } else {
    r.error(type_node, m.path("type"),
            "invalid sink type " + r.quote(type_node) + "; expected jsonl, http, cosmos or exec");
    m.allow({"path", "rotate", "fsync", "url", "headers", "timeout", "retry", "account", "database",
             "container", "command"});
    return;
  }
  m.finish("for sink type " + *type);
}

} // namespace

void read_change_feed(yaml::map_reader& root, change_feed_spec& out, const daemon_config* config) {
  read_source(root, out.source, config);
  read_leases(root, out.leases, out.source, config);
  root.read("poll_interval", out.poll_interval, std::chrono::milliseconds{10});
  root.read_int("max_batch", out.max_batch, 1, 10'000);
  read_sink(root, out.sink, config);
  root.read_enum("on_failure", out.on_failure, "on_failure policy");
  read_dead_letter(root, out.dead_letter);
  if (out.on_failure == failure_policy::stop && root.has("dead_letter"))
    root.rd().report(root.key_mark("dead_letter"), root.path("dead_letter"),
                     "dead_letter is not used with on_failure: stop", severity::warning);
  read_retry(root, "retry", out.retry);
}

} // namespace bulkd::detail
