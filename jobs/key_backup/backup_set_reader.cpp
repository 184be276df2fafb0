#include "jobs/key_backup/backup_set_reader.hpp"

#include "clients/error.hpp"
#include "jobs/error_text.hpp"
#include "jobs/key_backup/encrypted_blob.hpp"
#include "jobs/key_backup/manifest_mac.hpp"
#include "jobs/key_backup/set_layout.hpp"
#include "jobs/key_backup/sha256.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace bulkd::key_backup {

namespace {

namespace fs = std::filesystem;

caf::expected<std::string> read_whole(const fs::path& file) {
  std::error_code err;
  auto st = fs::symlink_status(file, err);
  if (err || !fs::exists(st))
    return make_error(ec::not_found, "missing file " + file.filename().string());
  if (!fs::is_regular_file(st))
    return make_error(ec::io_error, file.filename().string() + " is not a regular file");
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return make_error(ec::io_error, "cannot read " + file.filename().string());
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad())
    return make_error(ec::io_error, "cannot read " + file.filename().string());
  return std::move(buf).str();
}

} // namespace

caf::expected<backup_set> open_backup_set(const fs::path& dir) {
  std::error_code err;
  if (!fs::is_directory(dir, err))
    return make_error(ec::not_found, "not a directory: " + dir.string());
  auto path = dir / manifest_file_name;
  if (!fs::exists(path, err))
    return make_error(ec::not_found, "incomplete set: no manifest.json in " + dir.string());
  auto text = read_whole(path);
  if (!text)
    return make_error(ec::io_error,
                      "incomplete set: " + dir.string() + ": " + error_text(text.error()));
  auto m = parse_manifest(*text);
  if (!m)
    return make_error(ec::parse_error, "incomplete set: " + path.string() +
                                           " is not valid: " + error_text(m.error()));
  return backup_set{dir, std::move(*m), std::move(*text)};
}

caf::expected<std::string> read_stored_file(const backup_set& set, const manifest_key& entry) {
  auto data = read_whole(set.dir / entry.file);
  if (!data)
    return data.error();
  if (data->size() != entry.size)
    return make_error(ec::parse_error, entry.file + ": size is " + std::to_string(data->size()) +
                                           " bytes, the manifest says " +
                                           std::to_string(entry.size));
  if (sha256_hex(*data) != entry.sha256)
    return make_error(ec::parse_error, entry.file + ": SHA-256 does not match the manifest");
  return data;
}

caf::expected<std::string> read_key_blob(const backup_set& set, const manifest_key& entry,
                                         const encryption_key* key) {
  auto data = read_stored_file(set, entry);
  if (!data)
    return data.error();
  const auto& enc = set.manifest.encryption;
  if (!enc.encrypted())
    return data;
  if (!key)
    return make_error(ec::invalid_argument, entry.file + ": the set is encrypted (key id " +
                                                enc.key_id + ") and no key was given");
  if (key->id() != enc.key_id)
    return make_error(ec::invalid_argument, entry.file +
                                                ": wrong key: the set was encrypted "
                                                "with key id " +
                                                enc.key_id + ", the given key has id " + key->id());
  auto plain = decrypt_blob(*key, entry.key.name, *data);
  if (!plain)
    return make_error(ec::parse_error, entry.file + ": " + error_text(plain.error()));
  return plain;
}

verify_report verify_backup_set(const fs::path& dir, const encryption_key* key) {
  verify_report report;
  report.dir = dir;
  auto set = open_backup_set(dir);
  if (!set) {
    report.problems.push_back(error_text(set.error()));
    return report;
  }
  report.manifest = set->manifest;
  const auto& enc = set->manifest.encryption;
  bool decrypt = false;
  if (enc.encrypted()) {
    if (!key)
      report.problems.push_back("the set is encrypted (" + enc.algorithm + ", key id " +
                                enc.key_id +
                                "): give its key to check decryption; only hashes were checked");
    else if (key->id() != enc.key_id)
      report.problems.push_back("wrong key: the set was encrypted with key id " + enc.key_id +
                                ", the given key has id " + key->id() +
                                "; only hashes were checked");
    else
      decrypt = true;
    if (decrypt)
      if (auto err = check_manifest_mac(*key, set->manifest_text))
        report.problems.push_back(error_text(err));
  } else if (key) {
    // Asked to check an encrypted set, and the manifest says plain: possibly a downgrade.
    report.problems.push_back("the set is not encrypted (manifest.json says \"none\") but a key "
                              "was given");
  }
  std::set<std::string> listed{manifest_file_name};
  for (const auto& entry : set->manifest.keys) {
    listed.insert(entry.file);
    key_check check{entry.key.name, entry.file, entry.key.versions.size(), entry.size, false, {}};
    auto stored = read_stored_file(*set, entry);
    if (!stored) {
      check.problem = error_text(stored.error());
    } else if (decrypt) {
      auto blob = decrypt_blob(*key, entry.key.name, *stored);
      if (!blob)
        check.problem = entry.file + ": " + error_text(blob.error());
      else if (blob->empty())
        check.problem = entry.file + ": empty backup blob";
      else
        check.ok = true;
    } else {
      // Unencrypted, or encrypted without the right key (a set-level problem): hashes matched.
      check.ok = !stored->empty();
      if (!check.ok)
        check.problem = entry.file + ": empty backup blob";
    }
    if (!check.ok)
      report.problems.push_back("key " + entry.key.name + ": " + check.problem);
    report.keys.push_back(std::move(check));
  }
  for (const auto& f : set->manifest.failed)
    report.problems.push_back("key " + f.name + " was not backed up: " + f.error);
  for (const auto& s : set->manifest.skipped)
    report.notes.push_back("key " + s.name + " was skipped: " + s.reason);
  std::error_code err;
  for (auto it = fs::directory_iterator{dir, err}; !err && it != fs::directory_iterator{};
       it.increment(err)) {
    auto name = it->path().filename().string();
    if (!listed.count(name))
      report.notes.push_back("file " + name + " is not in the manifest");
  }
  return report;
}

} // namespace bulkd::key_backup
