#pragma once

// Decoding JSON string escapes, shared by every hand-written JSON scanner of bulkd (the input
// compactor, the emulator's document text and SQL lexer), which validate before they decode.

#include <cstdint>
#include <string>
#include <string_view>

namespace bulkd {

/// Appends the UTF-8 encoding of the code point `cp` (at most U+10FFFF, not a surrogate).
void append_utf8(std::string& out, uint32_t cp);

/// The content of a string literal that has already been validated (without its quotes), with
/// its escapes decoded, into `out` (cleared first): \" \\ \/ \b \f \n \r \t and \uXXXX, a high
/// surrogate escape followed by its low one becoming one code point.
void json_unescape(std::string_view validated, std::string& out);

} // namespace bulkd
