#pragma once

// Shell-style glob patterns: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`, and `\` escapes. Used for key
// include/exclude lists (whole names) and for input file paths (where `*` does not cross `/`).
//
// Matching is case-sensitive and byte-wise (`?` matches one byte of UTF-8). In brackets, `!` or `^`
// first negates, `-` first or last is literal, and `\` escapes (`[\]]`); `[]` is an error.

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

class glob_pattern {
public:
  /// Parses a pattern; the error says what is wrong (unclosed '[', trailing '\', empty pattern).
  static caf::expected<glob_pattern> parse(std::string_view pattern);

  /// Whether `text` matches the whole pattern. With `path_mode`, `*`, `?` and brackets do not
  /// match '/'.
  bool matches(std::string_view text, bool path_mode = false) const;

  /// Whether the pattern contains any wildcard at all.
  bool has_wildcards() const { return has_wildcards_; }

  const std::string& text() const { return text_; }

private:
  struct token {
    enum kind_t { literal, any_char, star, char_class } kind = literal;
    char ch = 0;                                                 // literal
    bool negated = false;                                        // char_class
    std::vector<std::pair<unsigned char, unsigned char>> ranges; // char_class, inclusive
  };

  static bool matches_one(const token& tok, char c, bool path_mode);

  std::string text_;
  bool has_wildcards_ = false;
  std::vector<token> tokens_;
};

} // namespace bulkd
