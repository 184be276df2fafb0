#include "jobs/key_backup/encryption_key.hpp"

#include "clients/cosmos/base64.hpp"
#include "clients/error.hpp"
#include "jobs/error_text.hpp"
#include "jobs/key_backup/sha256.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace bulkd::key_backup {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos)
    return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

constexpr const char* expected_forms =
    "expected 32 bytes as 64 hex digits (openssl rand -hex 32) or as 44 characters of base64 "
    "(openssl rand -base64 32)";

} // namespace

encryption_key::~encryption_key() {
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

caf::expected<encryption_key> encryption_key::parse(std::string_view text) {
  text = trim(text);
  if (text.empty())
    return make_error(ec::invalid_argument,
                      std::string{"encryption key is empty: "} + expected_forms);
  encryption_key key;
  if (text.size() == 2 * size) {
    for (size_t i = 0; i < size; ++i) {
      int hi = hex_value(text[2 * i]);
      int lo = hex_value(text[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return make_error(ec::invalid_argument,
                          "encryption key has 64 characters but they are not all hex digits: " +
                              std::string{expected_forms});
      key.bytes_[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
  } else if (text.size() == 44) {
    auto raw = cosmos::base64_decode(text);
    if (!raw)
      return make_error(ec::invalid_argument,
                        "encryption key has 44 characters but is not valid base64: " +
                            std::string{expected_forms});
    if (raw->size() != size)
      return make_error(ec::invalid_argument, "encryption key decodes to " +
                                                  std::to_string(raw->size()) +
                                                  " bytes, not 32: " + expected_forms);
    std::copy(raw->begin(), raw->end(), key.bytes_.begin());
    OPENSSL_cleanse(raw->data(), raw->size());
  } else {
    return make_error(ec::invalid_argument, "encryption key has " + std::to_string(text.size()) +
                                                " characters: " + expected_forms);
  }
  key.id_ = sha256_hex({reinterpret_cast<const char*>(key.bytes_.data()), size}).substr(0, 16);
  return key;
}

caf::expected<encryption_key> encryption_key::read_file(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return make_error(ec::io_error, "cannot read encryption key file " + file.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  auto text = std::move(buf).str();
  auto key = parse(text);
  OPENSSL_cleanse(text.data(), text.size());
  if (!key)
    return make_error(ec::invalid_argument,
                      "encryption key file " + file.string() + ": " + error_text(key.error()));
  return key;
}

} // namespace bulkd::key_backup
