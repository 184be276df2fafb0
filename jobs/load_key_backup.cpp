#include "jobs/error_text.hpp"
#include "jobs/key_backup/encryption_key.hpp"
#include "jobs/spec_readers.hpp"

#include <regex>

namespace bulkd::detail {

namespace {

void read_globs(yaml::map_reader& m, std::string_view key, std::vector<std::string>& out) {
  auto n = m.get(key);
  if (!n.IsDefined())
    return;
  auto path = m.path(key);
  auto v = m.rd().string_list(n, path);
  if (!v)
    return;
  for (size_t i = 0; i < v->size(); ++i) {
    auto item = n.IsSequence() ? n[i] : n;
    check_glob(m.rd(), item,
               n.IsSequence() ? yaml::join(path, "[" + std::to_string(i) + "]") : path, (*v)[i]);
  }
  out = std::move(*v);
}

// 7.5, 7.4-preview.1, 2025-07-01, 2025-07-01-preview
bool valid_api_version(const std::string& v) {
  static const std::regex form{R"(^(\d+\.\d+|\d{4}-\d{2}-\d{2})(-preview(\.\d+)?)?$)"};
  return std::regex_match(v, form);
}

// A malformed key would otherwise surface only when the scheduled run starts. A key that comes
// from a credential not available here (validate outside systemd) cannot be checked.
void check_encryption_key(yaml::map_reader& m, const secret& key) {
  auto n = m.get("encryption_key");
  if (key.empty() || !n.IsScalar())
    return;
  auto deferred =
      n.Scalar().find("${credential:") != std::string::npos && !m.rd().context().credentials_dir;
  if (deferred)
    return;
  if (auto parsed = key_backup::encryption_key::parse(key.reveal()); !parsed)
    m.rd().error(n, m.path("encryption_key"), error_text(parsed.error()));
}

} // namespace

void read_key_backup(yaml::map_reader& root, key_backup_spec& out, const daemon_config* config) {
  auto& r = root.rd();
  if (auto v = root.require("vault"); v.IsDefined()) {
    root.read("vault", out.vault);
    if (!out.vault.empty())
      check_reference(r, v, root.path("vault"), out.vault, ref_kind::vault, config);
  }
  if (auto n = root.get("keys"); n.IsDefined()) {
    yaml::map_reader m{r, n, root.path("keys")};
    read_globs(m, "include", out.keys.include);
    if (m.get("include").IsDefined() && out.keys.include.empty())
      r.error(m.get("include"), m.path("include"), "must hold at least one pattern");
    read_globs(m, "exclude", out.keys.exclude);
    if (auto t = m.get("tags"); t.IsDefined())
      if (auto v = r.string_map(t, m.path("tags")))
        out.keys.tags = std::move(*v);
    m.finish();
  }
  if (auto n = root.require("destination"); n.IsDefined()) {
    yaml::map_reader m{r, n, root.path("destination")};
    m.read("path", out.destination.path, true);
    m.read("encryption_key", out.destination.encryption_key);
    check_encryption_key(m, out.destination.encryption_key);
    m.finish();
  }
  if (auto n = root.get("retention"); n.IsDefined()) {
    yaml::map_reader m{r, n, root.path("retention")};
    if (auto k = m.get("keep_last"); k.IsDefined())
      if (auto v = r.integer(k, m.path("keep_last"), 1, 100'000))
        out.keep_last = static_cast<uint32_t>(*v);
    m.finish();
  }
  if (auto n = root.get("concurrency"); n.IsDefined()) {
    yaml::map_reader m{r, n, root.path("concurrency")};
    m.read_int("workers", out.workers, 1, 1024);
    m.finish();
  }
  read_retry(root, "retry", out.retry);
  if (auto n = root.get("api_version"); n.IsDefined())
    if (auto v = r.string(n, root.path("api_version"))) {
      if (valid_api_version(*v))
        out.api_version = *v;
      else
        r.error(n, root.path("api_version"),
                "invalid Key Vault API version " + r.quote(n) +
                    " (expected e.g. 7.5, 7.4-preview.1 or 2025-07-01)");
    }
}

} // namespace bulkd::detail
