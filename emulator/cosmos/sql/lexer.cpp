#include "emulator/cosmos/sql/lexer.hpp"

#include "clients/json_unescape.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <array>
#include <optional>

namespace bulkd::emulator::cosmos::sql {

namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c);
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

// Longest first, so that "<>" wins over "<".
constexpr std::array<std::string_view, 10> multi_char_symbols = {
    ">>>", "!=", "<>", "<=", ">=", "||", "??", "<<", ">>", "&&"};
constexpr std::string_view single_char_symbols = ".,()[]{}*=<>+-/%?:&|^~";

class lexer {
public:
  explicit lexer(std::string_view text) : text_(text) {}

  caf::expected<std::vector<token>> run() {
    std::vector<token> out;
    for (;;) {
      skip_space();
      token tok;
      tok.pos = pos_;
      if (at_end()) {
        out.push_back(std::move(tok));
        return out;
      }
      char c = peek();
      if (is_ident_start(c)) {
        tok.kind = token_kind::identifier;
        while (!at_end() && is_ident_char(peek()))
          tok.text += take();
      } else if (c == '@') {
        tok.kind = token_kind::parameter;
        tok.text += take();
        while (!at_end() && is_ident_char(peek()))
          tok.text += take();
        if (tok.text.size() == 1)
          return sql_error(tok.pos, "invalid parameter name");
      } else if (is_digit(c) || (c == '.' && is_digit(peek(1)))) {
        tok.kind = token_kind::number;
        if (auto err = read_number(tok.text))
          return err;
      } else if (c == '\'' || c == '"') {
        tok.kind = token_kind::string;
        if (auto err = read_string(tok.text))
          return err;
      } else if (auto sym = read_symbol()) {
        tok.kind = token_kind::symbol;
        tok.text = std::string{*sym};
      } else {
        std::string shown;
        shown += take();
        while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80)
          shown += take();
        return sql_error(tok.pos, "unexpected character '" + shown + "'");
      }
      out.push_back(std::move(tok));
    }
  }

private:
  bool at_end() const { return i_ >= text_.size(); }
  char peek(size_t ahead = 0) const { return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0'; }

  char take() {
    char c = text_[i_++];
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++pos_.column;
    }
    return c;
  }

  void skip_space() {
    while (!at_end()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v')
        take();
      else
        break;
    }
  }

  caf::error read_number(std::string& out) {
    while (is_digit(peek()))
      out += take();
    // "1." and ".5" are numbers too; "1.x" is not (a number then a path step, a syntax error).
    if (peek() == '.' && !is_ident_start(peek(1))) {
      out += take();
      while (is_digit(peek()))
        out += take();
    }
    if (peek() == 'e' || peek() == 'E') {
      size_t sign = (peek(1) == '+' || peek(1) == '-') ? 1 : 0;
      if (!is_digit(peek(1 + sign)))
        return sql_error(pos_, "invalid number exponent");
      out += take();
      if (sign)
        out += take();
      while (is_digit(peek()))
        out += take();
    }
    return {};
  }

  caf::error read_string(std::string& out) {
    source_position start = pos_;
    char quote = take();
    for (;;) {
      if (at_end())
        return sql_error(start, "unterminated string");
      source_position here = pos_;
      char c = take();
      if (c == quote)
        return {};
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end())
        return sql_error(start, "unterminated string");
      char e = take();
      switch (e) {
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto cp = read_hex4();
        if (!cp)
          return sql_error(here, "invalid \\u escape");
        std::uint32_t code = *cp;
        if (code >= 0xD800 && code <= 0xDBFF) {
          if (peek() != '\\' || peek(1) != 'u')
            return sql_error(here, "unpaired surrogate in \\u escape");
          take();
          take();
          auto low = read_hex4();
          if (!low || *low < 0xDC00 || *low > 0xDFFF)
            return sql_error(here, "unpaired surrogate in \\u escape");
          code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
          return sql_error(here, "unpaired surrogate in \\u escape");
        }
        append_utf8(out, code);
        break;
      }
      default: {
        std::string shown{e};
        return sql_error(here, "invalid escape sequence '\\" + shown + "'");
      }
      }
    }
  }

  std::optional<std::uint32_t> read_hex4() {
    std::uint32_t value = 0;
    for (int k = 0; k < 4; ++k) {
      int h = hex_value(peek());
      if (h < 0)
        return std::nullopt;
      take();
      value = value * 16 + static_cast<std::uint32_t>(h);
    }
    return value;
  }

  std::optional<std::string_view> read_symbol() {
    auto rest = text_.substr(i_);
    for (auto sym : multi_char_symbols) {
      if (rest.substr(0, sym.size()) == sym) {
        for (size_t k = 0; k < sym.size(); ++k)
          take();
        return sym;
      }
    }
    auto at = single_char_symbols.find(peek());
    if (at == std::string_view::npos)
      return std::nullopt;
    take();
    return single_char_symbols.substr(at, 1);
  }

  std::string_view text_;
  size_t i_ = 0;
  source_position pos_;
};

} // namespace

caf::expected<std::vector<token>> tokenize(std::string_view text) {
  return lexer{text}.run();
}

} // namespace bulkd::emulator::cosmos::sql
