#pragma once

// Tokens of the Cosmos SQL subset and where they start in the query text.

#include <cstdint>
#include <string>

namespace bulkd::emulator::cosmos::sql {

/// 1-based line and column; columns count code points, not bytes.
struct source_position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

/// "LINE:COLUMN".
std::string to_string(source_position pos);

enum class token_kind : std::uint8_t {
  identifier, // keywords too; the parser compares case-insensitively
  parameter,  // @name; text holds the name with its '@'
  string,     // text holds the decoded value
  number,     // text holds the spelling
  symbol,     // . , ( ) [ ] { } * = != <> < <= > >= + - / % || ? ?? : & | ^ ~ << >> >>>
  end,
};

struct token {
  token_kind kind = token_kind::end;
  std::string text;
  source_position pos;
};

/// How a token is shown in "found ..." messages: 'x' for text, "end of query" for the end.
std::string describe(const token& tok);

} // namespace bulkd::emulator::cosmos::sql
