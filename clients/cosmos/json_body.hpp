#pragma once

// Internal to the response parsers: JSON bodies to nlohmann::json with errors that say which
// response and which field was wrong. Include only from .cpp files.

#include "clients/error.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace bulkd::cosmos::detail {

inline caf::error bad_body(std::string_view what, std::string why) {
  return make_error(ec::parse_error, std::string{what} + ": " + std::move(why));
}

/// `Json` is nlohmann::ordered_json where documents are handed on and should keep their order.
template <class Json = nlohmann::json>
caf::expected<Json> parse_json_body(std::string_view body, std::string_view what) {
  if (body.empty())
    return bad_body(what, "the body is empty");
  try {
    return Json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return bad_body(what, "the body is not JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception&) {
    // out_of_range 406: a number beyond double's range, such as 1e999.
    return bad_body(what, "the body holds a number out of range");
  }
}

template <class Json>
std::string json_type(const Json& value) {
  return value.type_name();
}

/// "'field' must be a <kind>, got <type>".
template <class Json>
std::string wrong_type(std::string_view field, std::string_view kind, const Json& value) {
  return "'" + std::string{field} + "' must be " + std::string{kind} + ", got " + json_type(value);
}

} // namespace bulkd::cosmos::detail
