#include "jobs/key_backup/key_name.hpp"

#include "clients/error.hpp"

#include <cstdio>
#include <string>

namespace bulkd::key_backup {

namespace {

constexpr size_t max_key_name = 127;

bool allowed(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

std::string quoted(std::string_view name) {
  std::string out = "\"";
  for (auto c : name.substr(0, 140)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (name.size() > 140)
    out += "...";
  return out + "\"";
}

} // namespace

caf::error check_key_name(std::string_view name) {
  if (name.empty())
    return make_error(ec::invalid_argument, "invalid key name \"\": empty");
  if (name.size() > max_key_name)
    return make_error(ec::invalid_argument, "invalid key name " + quoted(name) + ": longer than " +
                                                std::to_string(max_key_name) + " characters");
  for (auto c : name)
    if (!allowed(c))
      return make_error(ec::invalid_argument,
                        "invalid key name " + quoted(name) +
                            ": Key Vault key names hold only 0-9, a-z, A-Z and '-'");
  return {};
}

} // namespace bulkd::key_backup
