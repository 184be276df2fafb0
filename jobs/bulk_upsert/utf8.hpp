#pragma once

// UTF-8 checks for input records.

#include <cstddef>
#include <string>
#include <string_view>

namespace bulkd {

/// Length of the well-formed UTF-8 sequence starting at `p` (1..4), or 0 when it is not one
/// (overlong forms, surrogates and code points above U+10FFFF are not).
size_t utf8_sequence_length(const char* p, const char* end);

/// Offset of the first byte that is not well-formed UTF-8, or npos.
size_t find_invalid_utf8(std::string_view text);

/// `text` cut to at most `max_bytes` (at a character boundary), with every invalid byte replaced
/// by U+FFFD: safe to put into JSON, for messages and dead letters.
std::string utf8_excerpt(std::string_view text, size_t max_bytes = 1024);

} // namespace bulkd
