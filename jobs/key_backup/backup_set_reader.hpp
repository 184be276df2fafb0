#pragma once

// Reading and verifying a backup set written by backup_set_writer.

#include "jobs/key_backup/encryption_key.hpp"
#include "jobs/key_backup/manifest.hpp"

#include <caf/expected.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bulkd::key_backup {

struct backup_set {
  std::filesystem::path dir;
  backup_manifest manifest;
  std::string manifest_text; // manifest.json as read (its mac covers this text)
};

/// Loads a set's manifest. Errors: "not a directory: DIR", "incomplete set: no manifest.json in
/// DIR" (the run did not finish), "incomplete set: DIR/manifest.json is not valid: ..." .
caf::expected<backup_set> open_backup_set(const std::filesystem::path& dir);

/// A key's file as stored, after checking its size and SHA-256 against the manifest.
caf::expected<std::string> read_stored_file(const backup_set& set, const manifest_key& entry);

/// One key's backup blob as the service returned it (ready to base64url-encode for restore):
/// reads its file, checks size and SHA-256 against the manifest and decrypts it when the set is
/// encrypted (then `key` must be the set's key). Every error names the file. For an encrypted
/// set, call check_manifest_mac (manifest_mac.hpp) once before trusting the manifest.
caf::expected<std::string> read_key_blob(const backup_set& set, const manifest_key& entry,
                                         const encryption_key* key);

struct key_check {
  std::string name;
  std::string file;
  size_t versions = 0;
  uint64_t size = 0;
  bool ok = false;
  std::string problem; // empty when ok
};

struct verify_report {
  std::filesystem::path dir;
  std::optional<backup_manifest> manifest; // absent when the set could not be opened
  std::vector<key_check> keys;             // one per manifest entry
  std::vector<std::string> problems;       // set-level and per-key, each a full sentence
  std::vector<std::string> notes;          // worth saying, not a failure

  bool ok() const { return problems.empty(); }
};

/// Checks everything: manifest present and valid, every key file present with the recorded size
/// and SHA-256, and, for an encrypted set, that `key` is the set's key (by key id: "wrong key")
/// and the manifest's mac and every file decrypt and authenticate. An encrypted set verified
/// without a key is a problem (decryption unchecked), and so is an unencrypted set verified with a
/// key. Keys the run failed to back up are problems; skipped keys and files the manifest does not
/// list are notes.
verify_report verify_backup_set(const std::filesystem::path& dir, const encryption_key* key);

} // namespace bulkd::key_backup
