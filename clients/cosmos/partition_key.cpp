#include "clients/cosmos/partition_key.hpp"

#include "clients/error.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace bulkd::cosmos {

namespace {

// 2^53: every integer below it is exact as a double and prints the same as an int64.
constexpr double max_exact_integer = 9007199254740992.0;

nlohmann::json to_json(const pk_value& value) {
  struct visitor {
    nlohmann::json operator()(pk_undefined) const { return nlohmann::json::object(); }
    nlohmann::json operator()(std::nullptr_t) const { return nullptr; }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(double d) const {
      if (std::trunc(d) == d && std::fabs(d) <= max_exact_integer)
        return static_cast<int64_t>(d);
      return d;
    }
    nlohmann::json operator()(const std::string& s) const { return s; }
  };
  return std::visit(visitor{}, value);
}

const char* json_type_name(const nlohmann::json& value) {
  return value.type_name();
}

} // namespace

std::string to_header(const partition_key& key) {
  auto array = nlohmann::json::array();
  for (const auto& value : key)
    array.push_back(to_json(value));
  std::string text;
  try {
    text = array.dump(-1, ' ', true);
  } catch (const nlohmann::json::exception&) {
    // Invalid UTF-8 in a string value: replace it rather than fail, as the SDKs' encoders do.
    text = array.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  }
  // DEL is ASCII but not allowed in header values; JS escapes it too. Outside strings the dump
  // has no DEL, so a plain replacement is safe.
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\x7F')
      out += "\\u007f";
    else
      out += c;
  }
  return out;
}

caf::expected<partition_key> parse_partition_key_header(std::string_view text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ec::parse_error,
                      std::string{"the partition key header is not valid JSON: "} + e.what());
  }
  if (!json.is_array())
    return make_error(ec::parse_error, std::string{"the partition key header must be a JSON "
                                                   "array, not "} +
                                           json_type_name(json));
  partition_key key;
  key.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    const auto& element = json[i];
    switch (element.type()) {
    case nlohmann::json::value_t::string:
      key.emplace_back(element.get<std::string>());
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      key.emplace_back(element.get<double>());
      break;
    case nlohmann::json::value_t::boolean:
      key.emplace_back(element.get<bool>());
      break;
    case nlohmann::json::value_t::null:
      key.emplace_back(nullptr);
      break;
    case nlohmann::json::value_t::object:
      if (element.empty()) {
        key.emplace_back(pk_undefined{});
        break;
      }
      [[fallthrough]];
    default:
      return make_error(ec::parse_error,
                        "partition key component " + std::to_string(i + 1) +
                            " must be a string, number, boolean, null or {}, "
                            "not " +
                            (element.is_object() ? std::string{"a non-empty "
                                                               "object"}
                                                 : std::string{json_type_name(element)}));
    }
  }
  return key;
}

} // namespace bulkd::cosmos
