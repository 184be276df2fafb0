#include "jobs/change_feed/cosmos_sink_document.hpp"

#include "clients/error.hpp"
#include "clients/json_unescape.hpp"
#include "jobs/error_text.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace bulkd {

namespace {

constexpr std::array<std::string_view, 6> system_properties{"_rid", "_self",        "_etag",
                                                            "_ts",  "_attachments", "_lsn"};

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The scanners below run over text nlohmann has accepted as JSON, so they need no checks beyond
// staying inside the text.

size_t skip_ws(std::string_view s, size_t i) {
  while (i < s.size() && is_ws(s[i]))
    ++i;
  return i;
}

// i at the opening quote; returns the index after the closing one.
size_t skip_string(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return s.size();
}

size_t skip_value(std::string_view s, size_t i) {
  if (i >= s.size())
    return i;
  if (s[i] == '"')
    return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    size_t depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0)
          return i + 1;
      }
      ++i;
    }
    return i;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i]))
    ++i;
  return i;
}

// The object's members minus the system properties, each copied as written.
std::string strip_system_properties(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  out += '{';
  // Only whitespace (or a byte order mark, which nlohmann skips) comes before the '{'.
  auto i = skip_ws(s, s.find('{') + 1);
  std::string decoded;
  bool first = true;
  while (i < s.size() && s[i] == '"') {
    auto key_begin = i;
    i = skip_string(s, i);
    auto raw_key = s.substr(key_begin, i - key_begin);
    std::string_view name = raw_key.substr(1, raw_key.size() - 2);
    if (name.find('\\') != std::string_view::npos) {
      json_unescape(name, decoded);
      name = decoded;
    }
    i = skip_ws(s, i);
    i = skip_ws(s, i + 1); // past ':'
    auto value_begin = i;
    i = skip_value(s, i);
    if (!is_system_property(name)) {
      if (!first)
        out += ',';
      first = false;
      out.append(raw_key);
      out += ':';
      out.append(s.substr(value_begin, i - value_begin));
    }
    i = skip_ws(s, i);
    if (i < s.size() && s[i] == ',')
      i = skip_ws(s, i + 1);
  }
  out += '}';
  return out;
}

const char* kind_name(const nlohmann::json& j) {
  switch (j.type()) {
  case nlohmann::json::value_t::array:
    return "an array";
  case nlohmann::json::value_t::string:
    return "a string";
  case nlohmann::json::value_t::boolean:
    return "a boolean";
  case nlohmann::json::value_t::null:
    return "null";
  case nlohmann::json::value_t::object:
    return "an object";
  default:
    return "a number";
  }
}

// nlohmann's what() starts with "[json.exception.parse_error.101] ".
std::string without_exception_tag(std::string text) {
  if (!text.empty() && text.front() == '[') {
    auto end = text.find("] ");
    if (end != std::string::npos)
      text.erase(0, end + 2);
  }
  return text;
}

} // namespace

bool is_system_property(std::string_view name) {
  for (auto p : system_properties)
    if (p == name)
      return true;
  return false;
}

caf::expected<sink_document> prepare_sink_document(std::string_view text,
                                                   const cosmos::partition_key_definition& target) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ec::parse_error, "invalid JSON: " + without_exception_tag(e.what()));
  }
  if (!doc.is_object())
    return make_error(ec::invalid_argument, std::string{"not a JSON object but "} + kind_name(doc));
  for (auto p : system_properties)
    doc.erase(std::string{p});
  auto id = doc.find("id");
  if (id == doc.end() || !id->is_string())
    return make_error(ec::invalid_argument,
                      id == doc.end()
                          ? std::string{"no \"id\""}
                          : std::string{"the \"id\" is "} + kind_name(*id) + ", not a string");
  sink_document out;
  out.id = id->get<std::string>();
  auto key = cosmos::extract_partition_key(doc, target);
  if (!key)
    return make_error(ec::invalid_argument, "partition key: " + error_text(key.error()));
  out.key = std::move(*key);
  out.body = strip_system_properties(text);
  return out;
}

} // namespace bulkd
