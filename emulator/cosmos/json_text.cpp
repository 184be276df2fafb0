#include "emulator/cosmos/json_text.hpp"

#include "clients/json_unescape.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace bulkd::emulator::cosmos {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
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

// One pass over a JSON text; the items of the outermost container (members of an object or
// elements of an array) are reported as spans.
class scanner {
public:
  // `checked`: the text was checked before; only its structure is read (strings by memchr).
  scanner(std::string_view text, bool checked)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), checked_(checked) {}

  // `want`: '{', '[' or 0 (any value).
  std::string run(char want, std::vector<json_member>* members,
                  std::vector<std::string_view>* elements) {
    skip_space();
    if (p_ == end_)
      return fail("the text is empty");
    if (want == '{' && *p_ != '{')
      return fail("expected a JSON object");
    if (want == '[' && *p_ != '[')
      return fail("expected a JSON array");
    if (!value(members, elements))
      return error_;
    skip_space();
    if (p_ != end_)
      return fail("unexpected text after the JSON value");
    return {};
  }

private:
  std::string fail(const std::string& what) {
    error_ = what + " at byte " + std::to_string(p_ - begin_);
    return error_;
  }

  bool failed(const std::string& what) {
    fail(what);
    return false;
  }

  void skip_space() {
    while (p_ != end_ && is_space(*p_))
      ++p_;
  }

  bool value(std::vector<json_member>* members, std::vector<std::string_view>* elements) {
    std::vector<char> stack; // the open containers: '{' or '['
    const char* item_start = nullptr;
    std::string_view key;
    for (;;) {
      // A value is expected.
      skip_space();
      if (p_ == end_)
        return failed("unexpected end of the text, expected a value");
      if (stack.size() == 1)
        item_start = p_;
      char c = *p_;
      if (c == '{' || c == '[') {
        stack.push_back(c);
        ++p_;
        skip_space();
        if (p_ != end_ && *p_ == (c == '{' ? '}' : ']')) {
          ++p_;
          stack.pop_back();
        } else if (c == '{') {
          if (!member_name(stack.size() == 1 ? &key : nullptr))
            return false;
          continue;
        } else {
          continue;
        }
      } else if (c == '"') {
        if (!string())
          return false;
      } else if (c == '-' || is_digit(c)) {
        if (!number())
          return false;
      } else if (c == 't') {
        if (!literal("true"))
          return false;
      } else if (c == 'f') {
        if (!literal("false"))
          return false;
      } else if (c == 'n') {
        if (!literal("null"))
          return false;
      } else {
        return failed(std::string{"unexpected character '"} + c + "', expected a value");
      }
      // A value ended; close the containers it completes.
      for (;;) {
        if (stack.size() == 1) {
          std::string_view item{item_start, static_cast<size_t>(p_ - item_start)};
          if (stack.back() == '{' && members != nullptr)
            members->push_back({key, item});
          else if (stack.back() == '[' && elements != nullptr)
            elements->push_back(item);
        }
        if (stack.empty())
          return true;
        skip_space();
        if (p_ == end_)
          return failed(stack.back() == '{' ? "unexpected end of the text in an object"
                                            : "unexpected end of the text in an array");
        char close = stack.back() == '{' ? '}' : ']';
        if (*p_ == ',') {
          ++p_;
          if (stack.back() == '{' && !member_name(stack.size() == 1 ? &key : nullptr))
            return false;
          break;
        }
        if (*p_ != close)
          return failed(stack.back() == '{' ? "expected ',' or '}' in an object"
                                            : "expected ',' or ']' in an array");
        ++p_;
        stack.pop_back();
      }
    }
  }

  // A member's name and its colon.
  bool member_name(std::string_view* key) {
    skip_space();
    if (p_ == end_ || *p_ != '"')
      return failed("expected a member name (a string)");
    const char* start = p_;
    if (!string())
      return false;
    if (key != nullptr)
      *key = {start + 1, static_cast<size_t>(p_ - start - 2)};
    skip_space();
    if (p_ == end_ || *p_ != ':')
      return failed("expected ':' after a member name");
    ++p_;
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view{p_, word.size()} != word)
      return failed("invalid literal, expected '" + std::string{word} + "'");
    p_ += word.size();
    return true;
  }

  bool number() {
    if (checked_) {
      while (p_ != end_ &&
             (is_digit(*p_) || *p_ == '-' || *p_ == '+' || *p_ == '.' || *p_ == 'e' || *p_ == 'E'))
        ++p_;
      return true;
    }
    const char* start = p_;
    if (*p_ == '-')
      ++p_;
    if (p_ == end_ || !is_digit(*p_))
      return failed("invalid number: expected a digit");
    if (*p_ == '0')
      ++p_;
    else
      while (p_ != end_ && is_digit(*p_))
        ++p_;
    bool exponent = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_))
        return failed("invalid number: expected a digit after '.'");
      while (p_ != end_ && is_digit(*p_))
        ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      exponent = true;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-'))
        ++p_;
      if (p_ == end_ || !is_digit(*p_))
        return failed("invalid number: expected a digit in the exponent");
      while (p_ != end_ && is_digit(*p_))
        ++p_;
    }
    // Only these can exceed a double (nlohmann refuses such numbers).
    if (exponent || p_ - start > 300) {
      std::string text{start, p_};
      if (!std::isfinite(std::strtod(text.c_str(), nullptr))) {
        p_ = start;
        return failed("number out of range: " + text);
      }
    }
    return true;
  }

  bool hex4(unsigned& out) {
    if (end_ - p_ < 4)
      return failed("invalid \\u escape: expected four hex digits");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex_value(p_[i]);
      if (h < 0)
        return failed("invalid \\u escape: expected four hex digits");
      out = out * 16 + static_cast<unsigned>(h);
    }
    p_ += 4;
    return true;
  }

  bool continuation(int n, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    if (end_ - p_ < n + 1)
      return failed("invalid UTF-8 in a string");
    auto first = static_cast<unsigned char>(p_[1]);
    if (first < lo || first > hi)
      return failed("invalid UTF-8 in a string");
    for (int i = 2; i <= n; ++i) {
      auto b = static_cast<unsigned char>(p_[i]);
      if (b < 0x80 || b > 0xBF)
        return failed("invalid UTF-8 in a string");
    }
    p_ += n + 1;
    return true;
  }

  // Skips a checked string: to the first quote not escaped by an odd run of backslashes.
  bool checked_string() {
    const char* open = p_++;
    for (;;) {
      auto* q = static_cast<const char*>(std::memchr(p_, '"', static_cast<size_t>(end_ - p_)));
      if (q == nullptr) {
        p_ = end_;
        return failed("unterminated string");
      }
      const char* b = q;
      while (b - 1 > open && b[-1] == '\\')
        --b;
      p_ = q + 1;
      if ((q - b) % 2 == 0)
        return true;
    }
  }

  bool string() {
    if (checked_)
      return checked_string();
    ++p_; // the opening quote
    for (;;) {
      // Eight bytes at a time while none is a quote, a backslash, a control character or non-ASCII
      // (the usual bit tricks; a false positive only drops to the byte loop).
      constexpr uint64_t ones = 0x0101010101010101ULL;
      constexpr uint64_t highs = 0x8080808080808080ULL;
      while (end_ - p_ >= 8) {
        uint64_t x;
        std::memcpy(&x, p_, 8);
        uint64_t quote = x ^ (ones * '"');
        uint64_t slash = x ^ (ones * '\\');
        uint64_t special = (x & highs) | ((x - ones * 0x20) & ~x & highs) |
                           ((quote - ones) & ~quote & highs) | ((slash - ones) & ~slash & highs);
        if (special != 0)
          break;
        p_ += 8;
      }
      while (p_ != end_) {
        auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
          break;
        ++p_;
      }
      if (p_ == end_)
        return failed("unterminated string");
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        ++p_;
        if (p_ == end_)
          return failed("unterminated string");
        switch (*p_) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          ++p_;
          break;
        case 'u': {
          ++p_;
          unsigned code = 0;
          if (!hex4(code))
            return false;
          if (code >= 0xDC00 && code <= 0xDFFF)
            return failed("invalid \\u escape: a low surrogate without a high one");
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
              return failed("invalid \\u escape: a high surrogate without a low one");
            p_ += 2;
            unsigned low = 0;
            if (!hex4(low))
              return false;
            if (low < 0xDC00 || low > 0xDFFF)
              return failed("invalid \\u escape: a high surrogate without a low one");
          }
          break;
        }
        default:
          return failed(std::string{"invalid escape '\\"} + *p_ + "' in a string");
        }
        continue;
      }
      if (c < 0x20)
        return failed("control character in a string (must be escaped)");
      // UTF-8, RFC 3629 table 4.
      bool ok = false;
      if (c >= 0xC2 && c <= 0xDF)
        ok = continuation(1);
      else if (c == 0xE0)
        ok = continuation(2, 0xA0, 0xBF);
      else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        ok = continuation(2);
      else if (c == 0xED)
        ok = continuation(2, 0x80, 0x9F);
      else if (c == 0xF0)
        ok = continuation(3, 0x90, 0xBF);
      else if (c >= 0xF1 && c <= 0xF3)
        ok = continuation(3);
      else if (c == 0xF4)
        ok = continuation(3, 0x80, 0x8F);
      else
        return failed("invalid UTF-8 in a string");
      if (!ok)
        return false;
    }
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  bool checked_;
  std::string error_;
};

} // namespace

std::string json_object_members(std::string_view text, std::vector<json_member>& members,
                                bool checked) {
  members.clear();
  return scanner{text, checked}.run('{', &members, nullptr);
}

std::string json_array_elements(std::string_view text, std::vector<std::string_view>& elements) {
  elements.clear();
  return scanner{text, false}.run('[', nullptr, &elements);
}

std::string json_check(std::string_view text) {
  return scanner{text, false}.run(0, nullptr, nullptr);
}

std::string json_key(std::string_view raw) {
  if (raw.find('\\') == std::string_view::npos)
    return std::string{raw};
  std::string out;
  json_unescape(raw, out);
  return out;
}

std::optional<std::string> json_string(std::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"')
    return std::nullopt;
  return json_key(value.substr(1, value.size() - 2));
}

void json_append_compact(std::string& out, std::string_view value) {
  const char* p = value.data();
  const char* end = p + value.size();
  const char* run = p;
  while (p != end) {
    char c = *p;
    if (c == '"') {
      // Skip the string: to the first quote not escaped by an odd run of backslashes.
      const char* open = p++;
      for (;;) {
        auto* q = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end - p)));
        if (q == nullptr) {
          p = end;
          break;
        }
        const char* b = q;
        while (b - 1 > open && b[-1] == '\\')
          --b;
        p = q + 1;
        if ((q - b) % 2 == 0)
          break;
      }
      continue;
    }
    if (is_space(c)) {
      out.append(run, p);
      while (p != end && is_space(*p))
        ++p;
      run = p;
      continue;
    }
    ++p;
  }
  out.append(run, p);
}

void json_append_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += ch;
    }
  }
}

} // namespace bulkd::emulator::cosmos
