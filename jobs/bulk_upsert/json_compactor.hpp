#pragma once

// One pass over a JSON text: validates it (grammar and UTF-8), appends its compact form (no
// whitespace outside strings, everything else byte for byte) and captures the values found at a
// few JSON pointers. No DOM is built: this is the hot path of the bulk reader.

#include "jobs/bulk_upsert/json_pointer.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

struct json_capture {
  enum kind_t : uint8_t { missing, string, number, boolean, null, object, array };
  kind_t kind = missing;
  bool flag = false; // the value of a boolean
  std::string text;  // a string unescaped, or a number's text
};

/// "a string", "an object", ...
const char* describe(json_capture::kind_t kind);

struct json_failure {
  size_t offset = 0; // into the text, where it went wrong
  std::string what;  // "invalid JSON: unexpected '}'", "invalid UTF-8", ...
};

class json_compactor {
public:
  static constexpr size_t max_depth = 128;

  explicit json_compactor(std::vector<json_pointer> pointers = {});

  /// Validates `text` as one JSON value (whitespace around it allowed), appends its compact form
  /// to `out` and fills captures(), one per pointer (the last one wins for duplicate members).
  std::optional<json_failure> compact(std::string_view text, std::string& out);

  const std::vector<json_capture>& captures() const { return captures_; }

private:
  std::vector<json_pointer> pointers_;
  std::vector<json_capture> captures_;
  std::string scratch_;
};

/// The kind of a compact JSON text by its first byte.
json_capture::kind_t json_kind_of(std::string_view compact);

/// Appends `text` as a JSON string literal (quotes, escapes); `text` must be valid UTF-8.
void append_json_string(std::string& out, std::string_view text);

} // namespace bulkd
