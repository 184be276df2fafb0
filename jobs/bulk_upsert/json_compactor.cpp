#include "jobs/bulk_upsert/json_compactor.hpp"

#include "clients/json_unescape.hpp"
#include "jobs/bulk_upsert/utf8.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace bulkd {

namespace {

std::string describe_byte(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c >= 0x20 && c < 0x7F)
    return std::string{"'"} + ch + "'";
  static constexpr char hex[] = "0123456789ABCDEF";
  return std::string{"byte 0x"} + hex[c >> 4] + hex[c & 15];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

uint32_t read_hex4(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v = v * 16 + static_cast<uint32_t>(hex_value(p[i]));
  return v;
}

// Advances p over string bytes that need no attention (not '"', '\\', a control character or
// non-ASCII), 8 at a time; the lowest flagged byte of a word is always a real one.
void skip_plain(const char*& p, const char* end) {
  constexpr uint64_t ones = 0x0101010101010101ULL;
  constexpr uint64_t highs = 0x8080808080808080ULL;
  while (end - p >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    uint64_t quote = x ^ (ones * '"');
    uint64_t backslash = x ^ (ones * '\\');
    uint64_t hits =
        ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | (x - ones * 0x20) | x;
    hits &= highs;
    if (hits != 0) {
      p += __builtin_ctzll(hits) >> 3;
      return;
    }
    p += 8;
  }
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

struct scanner {
  const char* begin;
  const char* p;
  const char* end;
  std::string& out;
  const std::vector<json_pointer>& pointers;
  std::vector<json_capture>& captures;
  std::string& key_buffer;
  std::optional<json_failure> failure;

  bool fail(const char* at, std::string what) {
    failure = json_failure{static_cast<size_t>(at - begin), std::move(what)};
    return false;
  }

  bool unexpected() {
    if (p == end)
      return fail(p, "invalid JSON: unexpected end of input");
    return fail(p, "invalid JSON: unexpected " + describe_byte(*p));
  }

  void skip_ws() {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
      ++p;
  }

  // Scans a string literal at p (which is '"'); raw content in [content, content_end).
  bool string(const char*& content, const char*& content_end, bool& escaped) {
    const char* start = p++;
    content = p;
    escaped = false;
    for (;;) {
      skip_plain(p, end);
      while (p < end) {
        auto c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
          break;
        ++p;
      }
      if (p == end)
        return fail(p, "invalid JSON: unexpected end of input in a string");
      auto c = static_cast<unsigned char>(*p);
      if (c == '"')
        break;
      if (c == '\\') {
        escaped = true;
        if (p + 1 == end)
          return fail(p + 1, "invalid JSON: unexpected end of input in a string");
        char e = p[1];
        if (e == 'u') {
          if (!hex4(p + 2))
            return fail(p, "invalid JSON: invalid \\u escape");
          uint32_t cp = read_hex4(p + 2);
          if (cp >= 0xDC00 && cp < 0xE000)
            return fail(p, "invalid JSON: unpaired UTF-16 surrogate in a \\u escape");
          if (cp >= 0xD800 && cp < 0xDC00) {
            if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !hex4(p + 8) ||
                read_hex4(p + 8) < 0xDC00 || read_hex4(p + 8) >= 0xE000)
              return fail(p, "invalid JSON: unpaired UTF-16 surrogate in a \\u escape");
            p += 12;
          } else {
            p += 6;
          }
          continue;
        }
        if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
            e == 't') {
          p += 2;
          continue;
        }
        return fail(p, "invalid JSON: invalid escape '\\" + std::string(1, e) + "'");
      }
      if (c < 0x20)
        return fail(p, "invalid JSON: unescaped control character " + describe_byte(*p) +
                           " in a string");
      auto n = utf8_sequence_length(p, end);
      if (n == 0)
        return fail(p, "invalid UTF-8");
      p += n;
    }
    content_end = p++;
    out.append(start, p);
    return true;
  }

  bool hex4(const char* q) {
    if (end - q < 4)
      return false;
    for (int i = 0; i < 4; ++i)
      if (hex_value(q[i]) < 0)
        return false;
    return true;
  }

  bool number() {
    const char* start = p;
    if (*p == '-')
      ++p;
    if (p < end && *p == '0') {
      ++p;
    } else if (p < end && *p >= '1' && *p <= '9') {
      while (p < end && is_digit(*p))
        ++p;
    } else {
      return unexpected();
    }
    if (p < end && *p == '.') {
      ++p;
      if (p == end || !is_digit(*p))
        return unexpected();
      while (p < end && is_digit(*p))
        ++p;
    }
    bool check_range = p - start > 300;
    if (p < end && (*p == 'e' || *p == 'E')) {
      check_range = true;
      ++p;
      if (p < end && (*p == '+' || *p == '-'))
        ++p;
      if (p == end || !is_digit(*p))
        return unexpected();
      while (p < end && is_digit(*p))
        ++p;
    }
    if (check_range && overflows(start, p))
      return fail(start, "invalid JSON: number out of range for a double");
    out.append(start, p);
    return true;
  }

  // Whether a valid number is too large in magnitude for a double (Cosmos DB stores doubles).
  static bool overflows(const char* b, const char* e) {
    std::string text{b, e};
    return std::isinf(std::strtod(text.c_str(), nullptr));
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end - p) < word.size() ||
        std::memcmp(p, word.data(), word.size()) != 0) {
      // point at the first byte that differs
      size_t i = 0;
      while (p + i < end && i < word.size() && p[i] == word[i])
        ++i;
      p += i;
      return unexpected();
    }
    out.append(word);
    p += word.size();
    return true;
  }

  // mask: the pointers whose first `depth` segments are the path of this value.
  bool value(size_t depth, uint32_t mask) {
    if (p == end)
      return unexpected();
    uint32_t here = 0; // pointers that end at this value
    for (uint32_t m = mask; m != 0; m &= m - 1) {
      auto i = static_cast<size_t>(__builtin_ctz(m));
      if (pointers[i].segments.size() == depth)
        here |= 1u << i;
    }
    uint32_t deeper = mask & ~here;
    json_capture::kind_t kind;
    const char* content = nullptr;
    const char* content_end = nullptr;
    bool escaped = false;
    size_t out_begin = out.size();
    bool flag = false;
    switch (*p) {
    case '{':
      kind = json_capture::object;
      if (!object(depth, deeper))
        return false;
      break;
    case '[':
      kind = json_capture::array;
      if (!array(depth, deeper))
        return false;
      break;
    case '"':
      kind = json_capture::string;
      if (!string(content, content_end, escaped))
        return false;
      break;
    case 't':
      kind = json_capture::boolean;
      flag = true;
      if (!literal("true"))
        return false;
      break;
    case 'f':
      kind = json_capture::boolean;
      if (!literal("false"))
        return false;
      break;
    case 'n':
      kind = json_capture::null;
      if (!literal("null"))
        return false;
      break;
    default:
      kind = json_capture::number;
      if (*p != '-' && !is_digit(*p))
        return unexpected();
      if (!number())
        return false;
    }
    for (uint32_t m = here; m != 0; m &= m - 1) {
      auto& cap = captures[static_cast<size_t>(__builtin_ctz(m))];
      cap.kind = kind;
      cap.flag = flag;
      if (kind == json_capture::string) {
        if (escaped)
          json_unescape({content, static_cast<size_t>(content_end - content)}, cap.text);
        else
          cap.text.assign(content, content_end);
      } else if (kind == json_capture::number) {
        cap.text.assign(out, out_begin);
      } else {
        cap.text.clear();
      }
    }
    return true;
  }

  bool object(size_t depth, uint32_t deeper) {
    if (depth >= json_compactor::max_depth)
      return fail(p, "invalid JSON: nested deeper than " +
                         std::to_string(json_compactor::max_depth) + " levels");
    out += '{';
    ++p;
    skip_ws();
    if (p < end && *p == '}') {
      out += '}';
      ++p;
      return true;
    }
    for (;;) {
      if (p == end || *p != '"')
        return unexpected();
      const char* content = nullptr;
      const char* content_end = nullptr;
      bool escaped = false;
      if (!string(content, content_end, escaped))
        return false;
      uint32_t child = 0;
      if (deeper != 0) {
        std::string_view key{content, static_cast<size_t>(content_end - content)};
        if (escaped) {
          json_unescape(key, key_buffer);
          key = key_buffer;
        }
        for (uint32_t m = deeper; m != 0; m &= m - 1) {
          auto i = static_cast<size_t>(__builtin_ctz(m));
          if (pointers[i].segments[depth] == key)
            child |= 1u << i;
        }
      }
      skip_ws();
      if (p == end || *p != ':')
        return unexpected();
      out += ':';
      ++p;
      skip_ws();
      if (!value(depth + 1, child))
        return false;
      skip_ws();
      if (p < end && *p == ',') {
        out += ',';
        ++p;
        skip_ws();
        continue;
      }
      if (p < end && *p == '}') {
        out += '}';
        ++p;
        return true;
      }
      return unexpected();
    }
  }

  bool array(size_t depth, uint32_t deeper) {
    if (depth >= json_compactor::max_depth)
      return fail(p, "invalid JSON: nested deeper than " +
                         std::to_string(json_compactor::max_depth) + " levels");
    out += '[';
    ++p;
    skip_ws();
    if (p < end && *p == ']') {
      out += ']';
      ++p;
      return true;
    }
    for (size_t index = 0;; ++index) {
      uint32_t child = 0;
      if (deeper != 0) {
        auto key = std::to_string(index);
        for (uint32_t m = deeper; m != 0; m &= m - 1) {
          auto i = static_cast<size_t>(__builtin_ctz(m));
          if (pointers[i].segments[depth] == key)
            child |= 1u << i;
        }
      }
      if (!value(depth + 1, child))
        return false;
      skip_ws();
      if (p < end && *p == ',') {
        out += ',';
        ++p;
        skip_ws();
        continue;
      }
      if (p < end && *p == ']') {
        out += ']';
        ++p;
        return true;
      }
      return unexpected();
    }
  }
};

} // namespace

const char* describe(json_capture::kind_t kind) {
  switch (kind) {
  case json_capture::missing:
    return "nothing";
  case json_capture::string:
    return "a string";
  case json_capture::number:
    return "a number";
  case json_capture::boolean:
    return "a boolean";
  case json_capture::null:
    return "null";
  case json_capture::object:
    return "an object";
  case json_capture::array:
    return "an array";
  }
  return "?";
}

json_capture::kind_t json_kind_of(std::string_view compact) {
  if (compact.empty())
    return json_capture::missing;
  switch (compact.front()) {
  case '{':
    return json_capture::object;
  case '[':
    return json_capture::array;
  case '"':
    return json_capture::string;
  case 't':
  case 'f':
    return json_capture::boolean;
  case 'n':
    return json_capture::null;
  default:
    return json_capture::number;
  }
}

json_compactor::json_compactor(std::vector<json_pointer> pointers)
    : pointers_(std::move(pointers)), captures_(pointers_.size()) {
  if (pointers_.size() > 32)
    pointers_.resize(32); // callers pass an id and a few partition key paths
}

std::optional<json_failure> json_compactor::compact(std::string_view text, std::string& out) {
  for (auto& cap : captures_)
    cap.kind = json_capture::missing;
  uint32_t all = pointers_.size() >= 32 ? ~0u : (1u << pointers_.size()) - 1;
  scanner s{text.data(), text.data(), text.data() + text.size(), out, pointers_, captures_,
            scratch_,    std::nullopt};
  s.skip_ws();
  if (s.value(0, all)) {
    s.skip_ws();
    if (s.p != s.end)
      s.fail(s.p, "invalid JSON: unexpected " + describe_byte(*s.p) + " after the value");
  }
  return std::move(s.failure);
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

} // namespace bulkd
