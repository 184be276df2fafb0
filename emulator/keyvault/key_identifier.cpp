#include "emulator/keyvault/key_identifier.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace bulkd::emulator::keyvault {

bool is_valid_key_name(std::string_view name) {
  if (name.empty() || name.size() > 127)
    return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
      return false;
  return true;
}

std::string new_key_version() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    throw std::runtime_error("RAND_bytes failed"); // only when the OS has no entropy source
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

std::string new_guid() {
  auto hex = new_key_version();
  hex[12] = '4';
  hex[16] = "89ab"[hex[16] % 4];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string key_id(std::string_view vault_url, std::string_view name, std::string_view version) {
  if (!vault_url.empty() && vault_url.back() == '/')
    vault_url.remove_suffix(1);
  std::string out{vault_url};
  out += "/keys/";
  out += name;
  if (!version.empty()) {
    out += '/';
    out += version;
  }
  return out;
}

} // namespace bulkd::emulator::keyvault
