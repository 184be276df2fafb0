#pragma once

// Shell-style glob patterns: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`, and `\` escapes. Used for key
// include/exclude lists (whole names) and for input file paths (where `*` does not cross `/`).

#include <caf/expected.hpp>

#include <string>
#include <string_view>

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
  std::string text_;
  bool has_wildcards_ = false;
};

} // namespace bulkd
