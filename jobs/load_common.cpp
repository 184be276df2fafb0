#include "jobs/error_text.hpp"
#include "jobs/glob.hpp"
#include "jobs/spec_readers.hpp"

namespace bulkd {

bool valid_job_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.find("..") != std::string_view::npos)
    return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front()))
    return false;
  for (char c : name)
    if (!alnum(c) && c != '.' && c != '_' && c != '-')
      return false;
  return true;
}

const char* sink_type_name(const sink_spec& sink) {
  static constexpr const char* names[] = {"jsonl", "http", "cosmos", "exec"};
  return names[sink.index()];
}

} // namespace bulkd

namespace bulkd::detail {

void check_reference(yaml::reader& r, const YAML::Node& node, const std::string& path,
                     const std::string& name, ref_kind kind, const daemon_config* config) {
  if (config == nullptr)
    return;
  std::vector<std::string> names;
  if (kind == ref_kind::account) {
    if (config->accounts.count(name))
      return;
    for (auto& [n, _] : config->accounts)
      names.push_back(n);
  } else {
    if (config->vaults.count(name))
      return;
    for (auto& [n, _] : config->vaults)
      names.push_back(n);
  }
  const char* what = kind == ref_kind::account ? "account" : "vault";
  std::string msg =
      std::string{"unknown "} + what + " '" + name + "': " + config->origin.file + " defines ";
  if (names.empty()) {
    msg += std::string{"no "} + what + "s";
  } else {
    for (size_t i = 0; i < names.size(); ++i)
      msg += (i ? ", " : "") + names[i];
    std::string best;
    size_t best_d = 3;
    for (auto& n : names)
      if (auto d = yaml::edit_distance(name, n); d < best_d) {
        best_d = d;
        best = n;
      }
    if (!best.empty())
      msg += " (did you mean '" + best + "'?)";
  }
  r.error(node, path, msg);
}

void read_container_ref(yaml::map_reader& m, container_ref& out, const daemon_config* config) {
  m.read("account", out.account, true);
  if (auto n = m.get("account"); n.IsDefined() && !out.account.empty())
    check_reference(m.rd(), n, m.path("account"), out.account, ref_kind::account, config);
  m.read("database", out.database, true);
  m.read("container", out.container, true);
}

void read_retry(yaml::map_reader& parent, std::string_view key, retry_policy& out) {
  auto n = parent.get(key);
  if (!n.IsDefined())
    return;
  yaml::map_reader m{parent.rd(), n, parent.path(key)};
  m.read_int("max_attempts", out.max_attempts, 1, 1000);
  m.read("initial_backoff", out.initial_backoff, std::chrono::milliseconds{1});
  m.read("max_backoff", out.max_backoff, std::chrono::milliseconds{1});
  if (out.max_backoff < out.initial_backoff)
    m.rd().error(m.get("max_backoff").IsDefined() ? m.get("max_backoff") : n, m.path("max_backoff"),
                 "must not be less than initial_backoff (" + format_duration(out.initial_backoff) +
                     ")");
  m.finish();
}

void read_dead_letter(yaml::map_reader& parent, dead_letter_spec& out) {
  auto n = parent.get("dead_letter");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{parent.rd(), n, parent.path("dead_letter")};
  m.read("path", out.path, true);
  m.finish();
}

void read_tls(yaml::map_reader& parent, tls_options& out) {
  auto n = parent.get("tls");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{parent.rd(), n, parent.path("tls")};
  m.read("ca_file", out.ca_file);
  m.read("insecure_skip_verify", out.insecure_skip_verify);
  m.finish();
}

void read_credential(yaml::map_reader& parent, credential_spec& out, bool required) {
  auto n = required ? parent.require("credential") : parent.get("credential");
  if (!n.IsDefined())
    return;
  yaml::map_reader m{parent.rd(), n, parent.path("credential")};
  if (!m.ok())
    return;
  auto type_node = m.require("type");
  if (type_node.IsDefined())
    m.read_enum("type", out.type, "credential type");
  bool needs_app =
      out.type == credential_type::client_secret || out.type == credential_type::client_certificate;
  m.read("tenant_id", out.tenant_id, needs_app);
  m.read("client_id", out.client_id, needs_app);
  if (out.type == credential_type::client_secret || !type_node.IsDefined())
    m.read("client_secret", out.client_secret, type_node.IsDefined());
  else
    m.reject("client_secret", "client_secret is only used with type client-secret");
  if (out.type == credential_type::client_certificate || !type_node.IsDefined())
    m.read("certificate_file", out.certificate_file, type_node.IsDefined());
  else
    m.reject("certificate_file", "certificate_file is only used with type client-certificate");
  if (auto h = m.get("authority_host"); h.IsDefined())
    if (auto v = m.rd().url(h, m.path("authority_host")))
      out.authority_host = *v;
  m.finish();
}

void check_glob(yaml::reader& r, const YAML::Node& node, const std::string& path,
                const std::string& pattern) {
  if (auto g = glob_pattern::parse(pattern); !g)
    r.error(node, path, "invalid glob " + r.quote(node) + ": " + error_text(g.error()));
}

bool check_json_pointer(yaml::reader& r, const YAML::Node& node, const std::string& path,
                        const std::string& pointer) {
  if (!pointer.empty() && pointer.front() == '/' && pointer != "/")
    return true;
  r.error(node, path, "expected a JSON pointer such as /id, got " + r.quote(node));
  return false;
}

} // namespace bulkd::detail
