#include "clients/cosmos/base64.hpp"

#include "clients/error.hpp"

#include <openssl/evp.h>

namespace bulkd::cosmos {

namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

} // namespace

std::string base64_encode(const uint8_t* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  if (size == 0)
    return out;
  auto written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(written));
  return out;
}

caf::expected<std::vector<uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return make_error(ec::parse_error,
                      "base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = text[i];
    if (c == '=') {
      if (i + 2 < text.size() || ++padding > 2)
        return make_error(ec::parse_error,
                          "base64 padding '=' in the middle at offset " + std::to_string(i));
      continue;
    }
    if (padding > 0 || !is_base64_char(c))
      return make_error(ec::parse_error, "invalid base64 character at offset " + std::to_string(i));
  }
  std::vector<uint8_t> out(text.size() / 4 * 3);
  if (text.empty())
    return out;
  auto n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                           static_cast<int>(text.size()));
  if (n < 0)
    return make_error(ec::parse_error, "invalid base64");
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

} // namespace bulkd::cosmos
