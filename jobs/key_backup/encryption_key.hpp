#pragma once

// The AES-256 key that encrypts a backup set (destination.encryption_key of a key-backup job,
// `bulkd keys verify --encryption-key-file`).
//
// Text form: exactly 32 bytes written either as 64 hex digits (`openssl rand -hex 32`) or as
// standard padded base64 of 44 characters (`openssl rand -base64 32`). Leading and trailing
// whitespace (a file's final newline) is ignored; nothing else is accepted.
//
// The key id is the first 16 hex digits of SHA-256 over the 32 raw key bytes. The manifest
// records it (never the key) so that verify and restore can tell "wrong key" from "tampered".

#include <caf/expected.hpp>

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace bulkd::key_backup {

class encryption_key {
public:
  static constexpr size_t size = 32;

  /// Parses the text form; errors (ec::invalid_argument) say what is wrong without echoing the
  /// text, which may be a near-miss of the real key.
  static caf::expected<encryption_key> parse(std::string_view text);

  /// Reads and parses a key file; the error names the file.
  static caf::expected<encryption_key> read_file(const std::filesystem::path& file);

  encryption_key(const encryption_key&) = default;
  encryption_key& operator=(const encryption_key&) = default;
  ~encryption_key();

  const unsigned char* data() const { return bytes_.data(); }

  /// First 16 hex digits of SHA-256 of the raw key.
  const std::string& id() const { return id_; }

private:
  encryption_key() = default;

  std::array<unsigned char, size> bytes_{};
  std::string id_;
};

} // namespace bulkd::key_backup
