#include "jobs/key_backup/manifest.hpp"

#include "clients/error.hpp"
#include "jobs/error_text.hpp"
#include "jobs/key_backup/key_name.hpp"
#include "jobs/key_backup/set_layout.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace bulkd::key_backup {

namespace {

using json = nlohmann::json;

constexpr const char* format_name = "bulkd-key-backup-set";

caf::error bad(const std::string& what) {
  return make_error(ec::parse_error, "manifest.json: " + what);
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Reads a required member of a given type; a missing or mistyped one is an error naming `where`.
template <class T>
caf::error get(const json& obj, const char* member, const std::string& where, T& out) {
  auto it = obj.find(member);
  if (it == obj.end())
    return bad(where + ": missing \"" + member + "\"");
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    return bad(where + ": \"" + member + "\" has the wrong type");
  }
  return {};
}

caf::error get_time(const json& obj, const char* member, utc_time& out) {
  std::string text;
  if (auto err = get(obj, member, "top level", text))
    return err;
  auto t = parse_rfc3339(text);
  if (!t)
    return bad(std::string{"\""} + member + "\": " + error_text(t.error()));
  out = *t;
  return {};
}

} // namespace

std::string to_json(const backup_manifest& m) {
  json keys = json::array();
  for (auto& k : m.keys)
    keys.push_back({{"name", k.key.name},
                    {"file", k.file},
                    {"kid", k.key.kid},
                    {"key_type", k.key.key_type},
                    {"versions", k.key.versions},
                    {"size", k.size},
                    {"sha256", k.sha256},
                    {"tags", k.key.tags}});
  json skipped = json::array();
  for (auto& s : m.skipped)
    skipped.push_back({{"name", s.name}, {"managed", s.managed}, {"reason", s.reason}});
  json failed = json::array();
  for (auto& f : m.failed)
    failed.push_back({{"name", f.name}, {"error", f.error}});
  json enc = {{"algorithm", m.encryption.algorithm}};
  if (m.encryption.encrypted()) {
    enc["key_id"] = m.encryption.key_id;
    enc["format"] = "BKDKEY1";
  }
  json doc = {{"format", format_name},
              {"format_version", m.format_version},
              {"vault_url", m.vault_url},
              {"started", format_rfc3339(m.started)},
              {"finished", format_rfc3339(m.finished)},
              {"key_count", m.keys.size()},
              {"encryption", enc},
              {"keys", keys},
              {"skipped", skipped},
              {"failed", failed}};
  if (!m.mac.empty())
    doc["mac"] = m.mac;
  return doc.dump(2) + "\n";
}

caf::expected<backup_manifest> parse_manifest(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    return bad(std::string{"not valid JSON: "} + e.what());
  }
  if (!doc.is_object())
    return bad("not a JSON object");
  backup_manifest m;
  std::string format;
  if (auto err = get(doc, "format", "top level", format))
    return err;
  if (format != format_name)
    return bad("format is \"" + format + "\", not \"" + format_name + "\"");
  if (auto err = get(doc, "format_version", "top level", m.format_version))
    return err;
  if (m.format_version != manifest_format_version)
    return bad("unsupported format_version " + std::to_string(m.format_version) +
               " (this bulkd reads " + std::to_string(manifest_format_version) + ")");
  if (auto err = get(doc, "vault_url", "top level", m.vault_url))
    return err;
  if (auto err = get_time(doc, "started", m.started))
    return err;
  if (auto err = get_time(doc, "finished", m.finished))
    return err;
  json enc;
  if (auto err = get(doc, "encryption", "top level", enc))
    return err;
  if (!enc.is_object())
    return bad("\"encryption\" is not an object");
  if (auto err = get(enc, "algorithm", "encryption", m.encryption.algorithm))
    return err;
  if (m.encryption.algorithm == encryption_aes_256_gcm) {
    if (auto err = get(enc, "key_id", "encryption", m.encryption.key_id))
      return err;
  } else if (m.encryption.algorithm != encryption_none) {
    return bad("unknown encryption algorithm \"" + m.encryption.algorithm + "\"");
  }
  json keys;
  if (auto err = get(doc, "keys", "top level", keys))
    return err;
  if (!keys.is_array())
    return bad("\"keys\" is not an array");
  std::set<std::string> names;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto where = "keys[" + std::to_string(i) + "]";
    auto& k = keys[i];
    if (!k.is_object())
      return bad(where + " is not an object");
    manifest_key e;
    if (auto err = get(k, "name", where, e.key.name))
      return err;
    if (auto err = check_key_name(e.key.name))
      return bad(where + ": " + error_text(err));
    if (!names.insert(e.key.name).second)
      return bad(where + ": key \"" + e.key.name + "\" appears twice");
    if (auto err = get(k, "file", where, e.file))
      return err;
    if (e.file != key_file_name(e.key.name, m.encryption.encrypted()))
      return bad(where + ": file \"" + e.file + "\" is not \"" +
                 key_file_name(e.key.name, m.encryption.encrypted()) + "\"");
    if (auto err = get(k, "size", where, e.size))
      return err;
    if (!k["size"].is_number_unsigned())
      return bad(where + ": size is not a non-negative integer");
    if (auto err = get(k, "sha256", where, e.sha256))
      return err;
    if (!is_hex64(e.sha256))
      return bad(where + ": sha256 is not 64 lower-case hex digits");
    if (auto err = get(k, "kid", where, e.key.kid))
      return err;
    if (auto err = get(k, "key_type", where, e.key.key_type))
      return err;
    if (auto err = get(k, "versions", where, e.key.versions))
      return err;
    if (auto err = get(k, "tags", where, e.key.tags))
      return err;
    m.keys.push_back(std::move(e));
  }
  size_t key_count = 0;
  if (auto err = get(doc, "key_count", "top level", key_count))
    return err;
  if (key_count != m.keys.size())
    return bad("key_count is " + std::to_string(key_count) + " but \"keys\" has " +
               std::to_string(m.keys.size()) + " entries");
  if (auto it = doc.find("skipped"); it != doc.end()) {
    if (!it->is_array())
      return bad("\"skipped\" is not an array");
    for (size_t i = 0; i < it->size(); ++i) {
      auto where = "skipped[" + std::to_string(i) + "]";
      skipped_key s;
      if (auto err = get((*it)[i], "name", where, s.name))
        return err;
      if (auto err = get((*it)[i], "managed", where, s.managed))
        return err;
      if (auto err = get((*it)[i], "reason", where, s.reason))
        return err;
      m.skipped.push_back(std::move(s));
    }
  }
  if (auto it = doc.find("failed"); it != doc.end()) {
    if (!it->is_array())
      return bad("\"failed\" is not an array");
    for (size_t i = 0; i < it->size(); ++i) {
      auto where = "failed[" + std::to_string(i) + "]";
      failed_key f;
      if (auto err = get((*it)[i], "name", where, f.name))
        return err;
      if (auto err = get((*it)[i], "error", where, f.error))
        return err;
      m.failed.push_back(std::move(f));
    }
  }
  if (auto it = doc.find("mac"); it != doc.end()) {
    if (!it->is_string())
      return bad("\"mac\" has the wrong type");
    m.mac = it->get<std::string>();
  }
  return m;
}

} // namespace bulkd::key_backup
