#include "jobs/bulk_upsert/utf8.hpp"

namespace bulkd {

size_t utf8_sequence_length(const char* p, const char* end) {
  auto b = [&](ptrdiff_t i) { return static_cast<unsigned char>(p[i]); };
  auto cont = [&](ptrdiff_t i) { return p + i < end && (b(i) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c < 0x80)
    return 1;
  if (c < 0xC2)
    return 0; // continuation byte or overlong 2-byte form
  if (c < 0xE0)
    return cont(1) ? 2 : 0;
  if (c < 0xF0) {
    if (!cont(1) || !cont(2))
      return 0;
    if (c == 0xE0 && b(1) < 0xA0)
      return 0; // overlong
    if (c == 0xED && b(1) >= 0xA0)
      return 0; // UTF-16 surrogate
    return 3;
  }
  if (c < 0xF5) {
    if (!cont(1) || !cont(2) || !cont(3))
      return 0;
    if (c == 0xF0 && b(1) < 0x90)
      return 0; // overlong
    if (c == 0xF4 && b(1) >= 0x90)
      return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

size_t find_invalid_utf8(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    if (static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      continue;
    }
    auto n = utf8_sequence_length(p, end);
    if (n == 0)
      return static_cast<size_t>(p - text.data());
    p += n;
  }
  return std::string_view::npos;
}

std::string utf8_excerpt(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    auto n = utf8_sequence_length(p, end);
    auto add = n == 0 ? size_t{3} : n;
    if (out.size() + add > max_bytes)
      break;
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++p;
    } else {
      out.append(p, n);
      p += n;
    }
  }
  return out;
}

} // namespace bulkd
