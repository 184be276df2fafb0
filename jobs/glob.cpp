#include "jobs/glob.hpp"

#include "clients/error.hpp"

namespace bulkd {

namespace {

caf::error glob_error(std::string_view pattern, const std::string& what) {
  return make_error(ec::invalid_argument, "glob \"" + std::string{pattern} + "\": " + what);
}

} // namespace

caf::expected<glob_pattern> glob_pattern::parse(std::string_view pattern) {
  if (pattern.empty())
    return make_error(ec::invalid_argument, "empty glob pattern");
  glob_pattern result;
  result.text_ = std::string{pattern};
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    token tok;
    if (c == '\\') {
      if (i + 1 == pattern.size())
        return glob_error(pattern, "trailing '\\' escapes nothing");
      tok.ch = pattern[i + 1];
      i += 2;
    } else if (c == '*') {
      result.has_wildcards_ = true;
      ++i;
      if (!result.tokens_.empty() && result.tokens_.back().kind == token::star)
        continue; // "**" is the same as "*"
      tok.kind = token::star;
    } else if (c == '?') {
      result.has_wildcards_ = true;
      tok.kind = token::any_char;
      ++i;
    } else if (c == '[') {
      result.has_wildcards_ = true;
      tok.kind = token::char_class;
      size_t open = i++;
      if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
        tok.negated = true;
        ++i;
      }
      bool closed = false;
      while (i < pattern.size()) {
        if (pattern[i] == ']') {
          closed = true;
          ++i;
          break;
        }
        // One member: a (possibly escaped) character, optionally followed by "-" and another.
        auto member = [&](unsigned char& out) {
          if (pattern[i] == '\\') {
            if (++i == pattern.size())
              return false;
          }
          out = static_cast<unsigned char>(pattern[i++]);
          return true;
        };
        unsigned char lo = 0;
        if (!member(lo))
          break; // "\" at the end: reported as unclosed below
        unsigned char hi = lo;
        if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
          ++i;
          if (!member(hi))
            break;
          if (hi < lo)
            return glob_error(pattern, "range " + std::string(1, static_cast<char>(lo)) + "-" +
                                           std::string(1, static_cast<char>(hi)) +
                                           " is reversed in '[' at offset " + std::to_string(open));
        }
        tok.ranges.emplace_back(lo, hi);
      }
      if (!closed)
        return glob_error(pattern, "unclosed '[' at offset " + std::to_string(open));
      if (tok.ranges.empty())
        return glob_error(pattern, "empty '[]' class at offset " + std::to_string(open));
    } else {
      tok.ch = c;
      ++i;
    }
    result.tokens_.push_back(std::move(tok));
  }
  return result;
}

bool glob_pattern::matches_one(const token& tok, char c, bool path_mode) {
  switch (tok.kind) {
  case token::literal:
    return tok.ch == c;
  case token::any_char:
    return !(path_mode && c == '/');
  case token::char_class: {
    if (path_mode && c == '/')
      return false;
    auto u = static_cast<unsigned char>(c);
    bool in = false;
    for (auto& [lo, hi] : tok.ranges)
      in = in || (lo <= u && u <= hi);
    return in != tok.negated;
  }
  case token::star:
    break;
  }
  return false;
}

// Iterative matching that remembers only the last '*': when the rest fails, that star takes one
// more character and the rest is retried. Earlier stars never need revisiting (the last star can
// absorb whatever they would), so this is O(pattern * text) at worst, never exponential. In path
// mode a star cannot take '/', and since no other token can either, no earlier star could help.
bool glob_pattern::matches(std::string_view text, bool path_mode) const {
  size_t p = 0;
  size_t t = 0;
  size_t star_p = std::string_view::npos; // token after the last star
  size_t star_t = 0;                      // where that star's match currently ends
  while (t < text.size()) {
    if (p < tokens_.size() && tokens_[p].kind == token::star) {
      star_p = ++p;
      star_t = t;
    } else if (p < tokens_.size() && matches_one(tokens_[p], text[t], path_mode)) {
      ++p;
      ++t;
    } else if (star_p != std::string_view::npos && !(path_mode && text[star_t] == '/')) {
      p = star_p;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < tokens_.size() && tokens_[p].kind == token::star)
    ++p;
  return p == tokens_.size();
}

} // namespace bulkd
