#pragma once

// JSON read as text, without building a DOM: the bulk path hands documents through as the client
// wrote them (minus whitespace and system properties) instead of parsing and dumping each one.
//
// The checks are those of nlohmann::json::parse, so that every text accepted here parses there
// later (queries, patch): RFC 8259 grammar, strings in valid UTF-8 (RFC 3629) with valid escapes
// and paired surrogates, no control characters in strings, numbers that fit a double. Nesting depth
// is unlimited (no recursion).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::emulator::cosmos {

struct json_member {
  std::string_view key;   // the raw text between the quotes (escapes not decoded)
  std::string_view value; // the value's text, without the whitespace around it
};

/// Checks that `text` is one JSON object with only whitespace around it and lists its members in
/// order (duplicates included). Empty on success, else the message ("... at byte N").
/// `checked`: the text is part of one checked before (json_array_elements of a batch); then only
/// its structure is read, several times faster.
std::string json_object_members(std::string_view text, std::vector<json_member>& members,
                                bool checked = false);

/// The same for one JSON array and its elements.
std::string json_array_elements(std::string_view text, std::vector<std::string_view>& elements);

/// Checks that `text` is one JSON value with only whitespace around it.
std::string json_check(std::string_view text);

/// The string a member key's raw text stands for (escapes decoded).
std::string json_key(std::string_view raw);

/// The string when `value` is the text of a JSON string (from the functions above), else nullopt.
std::optional<std::string> json_string(std::string_view value);

/// Appends checked JSON text without the whitespace between its tokens.
void json_append_compact(std::string& out, std::string_view value);

/// Appends `text` as the inside of a JSON string (quotes, backslashes, control characters escaped).
void json_append_escaped(std::string& out, std::string_view text);

} // namespace bulkd::emulator::cosmos
