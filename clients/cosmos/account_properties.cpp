#include "clients/cosmos/account_properties.hpp"

#include "clients/cosmos/json_body.hpp"

namespace bulkd::cosmos {

namespace {

constexpr std::string_view what = "database account";

caf::expected<std::vector<account_location>> read_locations(const nlohmann::json& json,
                                                            const char* field) {
  auto it = json.find(field);
  if (it == json.end())
    return detail::bad_body(what, std::string{"'"} + field + "' is missing");
  if (!it->is_array())
    return detail::bad_body(what, detail::wrong_type(field, "an array", *it));
  std::vector<account_location> out;
  size_t index = 0;
  for (const auto& entry : *it) {
    auto where = std::string{field} + "[" + std::to_string(index++) + "]";
    if (!entry.is_object())
      return detail::bad_body(what, detail::wrong_type(where, "an object", entry));
    auto name = entry.find("name");
    auto endpoint = entry.find("databaseAccountEndpoint");
    if (name == entry.end() || !name->is_string())
      return detail::bad_body(what, where + " needs a string 'name'");
    if (endpoint == entry.end() || !endpoint->is_string())
      return detail::bad_body(what, where + " needs a string 'databaseAccountEndpoint'");
    out.push_back({name->get<std::string>(), endpoint->get<std::string>()});
  }
  return out;
}

} // namespace

caf::expected<account_properties> parse_account_properties(std::string_view body) {
  auto json = detail::parse_json_body(body, what);
  if (!json)
    return json.error();
  if (!json->is_object())
    return detail::bad_body(what, "expected a JSON object, got " + detail::json_type(*json));
  account_properties out;
  auto id = json->find("id");
  if (id == json->end())
    return detail::bad_body(what, "'id' is missing");
  if (!id->is_string())
    return detail::bad_body(what, detail::wrong_type("id", "a string", *id));
  out.id = id->get<std::string>();
  auto writable = read_locations(*json, "writableLocations");
  if (!writable)
    return writable.error();
  out.writable_locations = std::move(*writable);
  auto readable = read_locations(*json, "readableLocations");
  if (!readable)
    return readable.error();
  out.readable_locations = std::move(*readable);
  if (auto policy = json->find("userConsistencyPolicy"); policy != json->end()) {
    if (!policy->is_object())
      return detail::bad_body(what,
                              detail::wrong_type("userConsistencyPolicy", "an object", *policy));
    if (auto level = policy->find("defaultConsistencyLevel"); level != policy->end()) {
      if (!level->is_string())
        return detail::bad_body(what,
                                detail::wrong_type("userConsistencyPolicy.defaultConsistencyLevel",
                                                   "a string", *level));
      out.default_consistency = level->get<std::string>();
    }
  }
  if (auto multi = json->find("enableMultipleWriteLocations"); multi != json->end()) {
    // The JS SDK accepts a boolean or the string "true".
    if (multi->is_boolean())
      out.multiple_write_locations = multi->get<bool>();
    else if (multi->is_string())
      out.multiple_write_locations = multi->get<std::string>() == "true";
    else if (!multi->is_null())
      return detail::bad_body(
          what, detail::wrong_type("enableMultipleWriteLocations", "a boolean", *multi));
  }
  return out;
}

} // namespace bulkd::cosmos
