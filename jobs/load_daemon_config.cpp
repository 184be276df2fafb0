#include "clients/cosmos/connection_string.hpp"
#include "clients/url.hpp"
#include "jobs/config_secret_check.hpp"
#include "jobs/error_text.hpp"
#include "jobs/spec_loader.hpp"
#include "jobs/spec_readers.hpp"
#include "jobs/yaml_documents.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <tuple>

namespace bulkd::detail {

namespace {

bool valid_ref_name(const std::string& name) {
  return valid_job_name(name);
}

// "AccountEndpoint=https://...;AccountKey=...;" -> endpoint and key. Never echoes the string.
void split_connection_string(yaml::reader& r, const YAML::Node& node, const std::string& path,
                             account_config& out) {
  auto parsed = cosmos::parse_connection_string(out.connection_string.reveal());
  if (!parsed) {
    r.error(node, path, error_text(parsed.error()));
    return;
  }
  out.endpoint = std::move(parsed->endpoint);
  out.key = secret{std::move(parsed->key)};
}

void read_account(yaml::reader& r, const YAML::Node& node, const std::string& path,
                  account_config& out) {
  yaml::map_reader m{r, node, path};
  if (!m.ok())
    return;
  if (m.has("connection_string")) {
    out.auth = account_auth::connection_string;
    m.read("connection_string", out.connection_string, true);
    if (!out.connection_string.empty())
      split_connection_string(r, m.get("connection_string"), m.path("connection_string"), out);
    for (auto key : {"endpoint", "key", "credential"})
      m.reject(key, std::string{key} + " cannot be combined with connection_string");
  } else {
    if (auto e = m.require("endpoint"); e.IsDefined())
      if (auto v = r.url(e, m.path("endpoint")))
        out.endpoint = *v;
    if (m.has("credential")) {
      out.auth = account_auth::credential;
      read_credential(m, out.credential, true);
      m.reject("key", "key cannot be combined with credential");
    } else {
      out.auth = account_auth::key;
      if (m.ok() && !m.has("key"))
        r.error(node, m.path("key"),
                "missing required key 'key' (or use connection_string, or credential for AAD)");
      else
        m.read("key", out.key, true);
    }
  }
  read_tls(m, out.tls);
  m.finish();
}

void read_vault(yaml::reader& r, const YAML::Node& node, const std::string& path,
                vault_config& out) {
  yaml::map_reader m{r, node, path};
  if (!m.ok())
    return;
  if (auto u = m.require("url"); u.IsDefined())
    if (auto v = r.url(u, m.path("url")))
      out.url = *v;
  read_credential(m, out.credential, false);
  read_tls(m, out.tls);
  m.finish();
}

template <class T, class F>
void read_named(yaml::map_reader& root, std::string_view key, std::map<std::string, T>& out,
                F read_one) {
  auto n = root.get(key);
  if (!n.IsDefined())
    return;
  auto& r = root.rd();
  auto path = root.path(key);
  yaml::map_reader m{r, n, path};
  if (!m.ok())
    return;
  for (auto it = n.begin(); it != n.end(); ++it) {
    auto name = it->first.Scalar();
    m.allow({name});
    auto p = yaml::join(path, name);
    if (!valid_ref_name(name)) {
      r.error(it->first, p, "invalid name '" + name + "': use letters, digits, '.', '_' and '-'");
      continue;
    }
    if (out.count(name))
      continue; // map_reader reported the duplicate
    T value;
    value.name = name;
    read_one(r, it->second, p, value);
    out.emplace(name, std::move(value));
  }
  m.finish();
}

void read_listen(yaml::reader& r, const YAML::Node& node, const std::string& path,
                 admin_config& out) {
  auto t = r.string(node, path);
  if (!t)
    return;
  std::string_view s = *t;
  std::string_view host;
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find("]:");
    if (close == std::string_view::npos) {
      r.error(node, path, "expected [address]:port, got " + r.quote(node));
      return;
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos || s.find(':') != colon) {
      r.error(node, path, "expected host:port, got " + r.quote(node));
      return;
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  unsigned p = 0;
  auto [ptr, err] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (host.empty() || port.empty() || err != std::errc{} || ptr != port.data() + port.size() ||
      p > 65535) {
    r.error(node, path, "expected host:port with a port 0..65535, got " + r.quote(node));
    return;
  }
  out.host = std::string{host};
  out.port = static_cast<uint16_t>(p);
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

} // namespace

void read_daemon_config(yaml::map_reader& root, daemon_config& out) {
  auto& r = root.rd();
  root.read("state_dir", out.state_dir);
  root.read("jobs_dir", out.jobs_dir);
  root.read("shutdown_timeout", out.shutdown_timeout, std::chrono::milliseconds{1});
  if (auto n = root.get("admin"); n.IsDefined()) {
    yaml::map_reader m{r, n, root.path("admin")};
    if (auto l = m.get("listen"); l.IsDefined())
      read_listen(r, l, m.path("listen"), out.admin);
    m.read("token", out.admin.token);
    if (!m.has("token") && !is_loopback(out.admin.host))
      r.error(m.get("listen"), m.path("token"),
              "a token is required when the admin API listens on a non-loopback address (" +
                  out.admin.host + ")");
    m.finish();
  }
  if (auto n = root.get("log"); n.IsDefined()) {
    yaml::map_reader m{r, n, root.path("log")};
    m.read_enum("level", out.log.level, "log level");
    m.read_enum("format", out.log.format, "log format");
    m.finish();
  }
  read_named(root, "accounts", out.accounts, read_account);
  read_named(root, "vaults", out.vaults, read_vault);
  root.finish();
}

} // namespace bulkd::detail

namespace bulkd::detail {

diagnostic syntax_error(const std::string& file, const YAML::Exception& e) {
  diagnostic d;
  d.file = file;
  if (!e.mark.is_null()) {
    d.line = e.mark.line + 1;
    d.column = e.mark.column + 1;
  }
  d.message = "YAML syntax error: " + e.msg;
  return d;
}

std::optional<std::string> read_spec_file(const std::string& path, diagnostics& out) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    out.push_back({path, 0, 0, {}, "cannot open file", severity::error});
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void sort_by_position(diagnostics& ds) {
  std::stable_sort(ds.begin(), ds.end(), [](const diagnostic& a, const diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
}

} // namespace bulkd::detail

namespace bulkd {

load_result<daemon_config> parse_daemon_config(std::string_view yaml, const std::string& file,
                                               const expansion_context& ctx) {
  load_result<daemon_config> result;
  daemon_config cfg;
  cfg.origin.file = file;
  try {
    auto docs = yaml::load_documents(yaml);
    yaml::reader r{file, ctx, result.diags};
    size_t non_null = 0;
    for (auto& doc : docs) {
      if (doc.IsNull())
        continue;
      if (++non_null > 1) {
        r.error(doc, {}, "a daemon config holds one YAML document");
        break;
      }
      yaml::map_reader root{r, doc, {}};
      if (root.ok())
        detail::read_daemon_config(root, cfg);
    }
  } catch (const YAML::Exception& e) {
    result.diags.push_back(detail::syntax_error(file, e));
  }
  detail::sort_by_position(result.diags);
  if (!has_errors(result.diags))
    result.value = std::move(cfg);
  return result;
}

load_result<daemon_config> load_daemon_config(const std::string& path,
                                              const expansion_context& ctx) {
  load_result<daemon_config> result;
  auto text = detail::read_spec_file(path, result.diags);
  if (!text)
    return result;
  auto parsed = parse_daemon_config(*text, path, ctx);
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0)
    for (auto& warning : literal_secret_warnings(path, *text, info.st_mode))
      parsed.diags.push_back(std::move(warning));
  return parsed;
}

} // namespace bulkd
