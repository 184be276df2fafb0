#include "clients/cosmos/epk_hash.hpp"

#include "clients/cosmos/murmur_hash.hpp"
#include "clients/error.hpp"

#include <bit>
#include <variant>

namespace bulkd::cosmos {

namespace {

// Type markers of the hash and binary encodings.
constexpr uint8_t marker_undefined = 0x00;
constexpr uint8_t marker_null = 0x01;
constexpr uint8_t marker_false = 0x02;
constexpr uint8_t marker_true = 0x03;
constexpr uint8_t marker_number = 0x05;
constexpr uint8_t marker_string = 0x08;

constexpr size_t max_string_chars = 100; // UTF-16 code units kept by V1
constexpr size_t max_string_bytes = 100; // UTF-8 bytes written by V1's binary encoding

// UTF-8 length of the sequence starting with `lead` (1 for invalid bytes, which pass through).
size_t utf8_sequence_length(uint8_t lead) {
  if (lead < 0x80)
    return 1;
  if ((lead & 0xE0) == 0xC0)
    return 2;
  if ((lead & 0xF0) == 0xE0)
    return 3;
  if ((lead & 0xF8) == 0xF0)
    return 4;
  return 1;
}

// What .NET's Substring(0, 100) and JS's substr(0, 100) leave, as UTF-8. When the cut splits a
// surrogate pair the lone high surrogate becomes U+FFFD on the way to UTF-8, as both SDKs do.
std::string truncate_utf16(const std::string& text) {
  size_t units = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    auto len = std::min(utf8_sequence_length(static_cast<uint8_t>(text[pos])), text.size() - pos);
    auto width = len == 4 ? 2u : 1u;
    if (units + width > max_string_chars) {
      if (units < max_string_chars) // half a surrogate pair fits
        return text.substr(0, pos) + "\xEF\xBF\xBD";
      return text.substr(0, pos);
    }
    units += width;
    pos += len;
  }
  return text;
}

void append_double_le(std::vector<uint8_t>& out, double value) {
  auto bits = std::bit_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

// V1 hashing writes a truncated string's bytes and 0x00; V2 writes all bytes and 0xFF.
void write_for_hashing(std::vector<uint8_t>& out, const pk_value& value, bool v2) {
  struct visitor {
    std::vector<uint8_t>& out;
    bool v2;
    void operator()(pk_undefined) const { out.push_back(marker_undefined); }
    void operator()(std::nullptr_t) const { out.push_back(marker_null); }
    void operator()(bool b) const { out.push_back(b ? marker_true : marker_false); }
    void operator()(double d) const {
      out.push_back(marker_number);
      append_double_le(out, d);
    }
    void operator()(const std::string& s) const {
      out.push_back(marker_string);
      out.insert(out.end(), s.begin(), s.end());
      out.push_back(v2 ? 0xFF : 0x00);
    }
  };
  std::visit(visitor{out, v2}, value);
}

void write_for_binary_encoding(std::vector<uint8_t>& out, const pk_value& value) {
  struct visitor {
    std::vector<uint8_t>& out;
    void operator()(pk_undefined) const { out.push_back(marker_undefined); }
    void operator()(std::nullptr_t) const { out.push_back(marker_null); }
    void operator()(bool b) const { out.push_back(b ? marker_true : marker_false); }
    void operator()(double d) const {
      auto bytes = encode_number_v1(d);
      out.insert(out.end(), bytes.begin(), bytes.end());
    }
    void operator()(const std::string& s) const {
      out.push_back(marker_string);
      bool short_string = s.size() <= max_string_bytes;
      auto count = short_string ? s.size() : max_string_bytes + 1;
      for (size_t i = 0; i < count; ++i) {
        auto byte = static_cast<uint8_t>(s[i]);
        out.push_back(byte < 0xFF ? static_cast<uint8_t>(byte + 1) : byte);
      }
      if (short_string)
        out.push_back(0x00);
    }
  };
  std::visit(visitor{out}, value);
}

pk_value truncate_v1(const pk_value& value) {
  if (auto s = std::get_if<std::string>(&value))
    return truncate_utf16(*s);
  return value;
}

std::vector<uint8_t> hash_v2_bytes(const partition_key& key) {
  std::vector<uint8_t> input;
  for (const auto& value : key)
    write_for_hashing(input, value, true);
  auto hash = murmur3_x64_128(input, 0);
  std::vector<uint8_t> bytes;
  bytes.reserve(16);
  for (int i = 7; i >= 0; --i)
    bytes.push_back(static_cast<uint8_t>(hash.h2 >> (8 * i)));
  for (int i = 7; i >= 0; --i)
    bytes.push_back(static_cast<uint8_t>(hash.h1 >> (8 * i)));
  bytes[0] &= 0x3F;
  return bytes;
}

caf::error check_arity(const partition_key& key, const partition_key_definition& definition) {
  auto paths = definition.paths.size();
  if (definition.kind == partition_kind::hash && key.size() != paths)
    return make_error(ec::invalid_argument, "the partition key has " + std::to_string(key.size()) +
                                                " components; the container has " +
                                                std::to_string(paths) + " path(s)");
  if (definition.kind == partition_kind::multi_hash && key.size() > paths)
    return make_error(ec::invalid_argument, "the partition key has " + std::to_string(key.size()) +
                                                " components; the container has only " +
                                                std::to_string(paths) + " level(s)");
  return {};
}

} // namespace

std::string to_hex(const std::vector<uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0x0F];
  }
  return out;
}

std::vector<uint8_t> encode_number_v1(double value) {
  auto bits = std::bit_cast<uint64_t>(value);
  // Flip so that unsigned byte order matches numeric order.
  bits = bits < 0x8000000000000000ULL ? bits ^ 0x8000000000000000ULL : ~bits + 1;
  std::vector<uint8_t> out{marker_number, static_cast<uint8_t>(bits >> 56)};
  bits <<= 8;
  // Then 7 bits per byte, low bit 1 = more follow; the last byte has its low bit cleared.
  uint8_t byte = 0;
  bool first = true;
  do {
    if (!first)
      out.push_back(byte);
    first = false;
    byte = static_cast<uint8_t>((bits >> 56) | 0x01);
    bits <<= 7;
  } while (bits != 0);
  out.push_back(static_cast<uint8_t>(byte & 0xFE));
  return out;
}

std::string epk_v1(const partition_key& key) {
  if (key.empty())
    return {};
  partition_key truncated;
  truncated.reserve(key.size());
  std::vector<uint8_t> input;
  for (const auto& value : key) {
    truncated.push_back(truncate_v1(value));
    write_for_hashing(input, truncated.back(), false);
  }
  auto hash = murmur3_x86_32(input, 0);
  auto bytes = encode_number_v1(static_cast<double>(hash));
  for (const auto& value : truncated)
    write_for_binary_encoding(bytes, value);
  return to_hex(bytes);
}

std::string epk_v2(const partition_key& key) {
  if (key.empty())
    return {};
  return to_hex(hash_v2_bytes(key));
}

std::string epk_multi_hash(const partition_key& key) {
  std::string out;
  out.reserve(32 * key.size());
  for (const auto& value : key)
    out += to_hex(hash_v2_bytes(partition_key{value}));
  return out;
}

caf::expected<std::string> effective_partition_key(const partition_key& key,
                                                   const partition_key_definition& definition) {
  if (key.empty())
    return std::string{};
  if (auto err = check_arity(key, definition))
    return err;
  if (definition.kind == partition_kind::multi_hash)
    return epk_multi_hash(key);
  return definition.version == 2 ? epk_v2(key) : epk_v1(key);
}

caf::expected<epk_range> epk_range_for(const partition_key& key,
                                       const partition_key_definition& definition) {
  auto epk = effective_partition_key(key, definition);
  if (!epk)
    return epk.error();
  if (key.empty())
    return epk_range{std::string{min_epk}, std::string{max_epk}};
  if (definition.kind == partition_kind::multi_hash && key.size() < definition.paths.size())
    return epk_range{*epk, *epk + std::string{max_epk}};
  return epk_range{*epk, *epk, true};
}

} // namespace bulkd::cosmos
