#include "clients/cosmos/container_properties.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/json_body.hpp"

namespace bulkd::cosmos {

namespace {

constexpr std::string_view what = "container";

} // namespace

caf::expected<container_properties> parse_container_properties(std::string_view body) {
  auto json = detail::parse_json_body(body, what);
  if (!json)
    return json.error();
  if (!json->is_object())
    return detail::bad_body(what, "expected a JSON object, got " + detail::json_type(*json));
  container_properties out;
  for (auto [field, target] : {std::pair{"id", &out.id}, std::pair{"_rid", &out.rid}}) {
    auto it = json->find(field);
    if (it == json->end())
      return detail::bad_body(what, std::string{"'"} + field + "' is missing");
    if (!it->is_string())
      return detail::bad_body(what, detail::wrong_type(field, "a string", *it));
    *target = it->get<std::string>();
  }
  auto pk = json->find("partitionKey");
  if (pk == json->end())
    return detail::bad_body(what, "'partitionKey' is missing");
  auto definition = parse_partition_key_definition(*pk);
  if (!definition)
    return detail::bad_body(what, error_message(definition.error()));
  out.partition_key = std::move(*definition);
  if (auto ttl = json->find("defaultTtl"); ttl != json->end() && !ttl->is_null()) {
    if (!ttl->is_number_integer())
      return detail::bad_body(what, detail::wrong_type("defaultTtl", "an integer", *ttl));
    out.default_ttl = ttl->get<int64_t>();
  }
  return out;
}

} // namespace bulkd::cosmos
