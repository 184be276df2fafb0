#include "clients/base64url.hpp"

#include "clients/error.hpp"

#include <array>
#include <cstdint>

namespace bulkd {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int value_of(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

std::string describe(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f)
    return std::string{"'"} + c + "'";
  static constexpr char hex[] = "0123456789abcdef";
  return std::string{"byte 0x"} + hex[u >> 4] + hex[u & 0xf];
}

} // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    auto v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  auto rest = bytes.size() - i;
  if (rest == 1) {
    auto v = at(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    auto v = (at(i) << 16) | (at(i + 1) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

caf::expected<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1)
    return make_error(ec::parse_error, "invalid base64url: length " + std::to_string(text.size()) +
                                           " leaves a single trailing character");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto v = value_of(text[i]);
    if (v < 0) {
      if (text[i] == '=')
        return make_error(ec::parse_error, "invalid base64url: padding '=' at offset " +
                                               std::to_string(i) + " (base64url has no padding)");
      return make_error(ec::parse_error, "invalid base64url: " + describe(text[i]) + " at offset " +
                                             std::to_string(i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return make_error(ec::parse_error,
                      "invalid base64url: the last character has non-zero unused bits");
  return out;
}

} // namespace bulkd
