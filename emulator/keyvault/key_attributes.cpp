#include "emulator/keyvault/key_attributes.hpp"

#include "clients/error.hpp"

#include <nlohmann/json.hpp>

namespace bulkd::emulator::keyvault {

namespace {

using json = nlohmann::json;

caf::error wrong_type(const char* field, const char* expected) {
  return make_error(ec::invalid_argument,
                    std::string{"attributes field '"} + field + "' must be " + expected);
}

} // namespace

json to_json(const key_attributes& attributes) {
  json out{{"enabled", attributes.enabled},
           {"created", attributes.created},
           {"updated", attributes.updated},
           {"recoveryLevel", attributes.recovery_level}};
  if (attributes.nbf)
    out["nbf"] = *attributes.nbf;
  if (attributes.exp)
    out["exp"] = *attributes.exp;
  if (attributes.recoverable_days)
    out["recoverableDays"] = *attributes.recoverable_days;
  if (attributes.exportable)
    out["exportable"] = *attributes.exportable;
  return out;
}

caf::expected<key_attributes> parse_key_attributes(const json& object) {
  if (!object.is_object())
    return make_error(ec::invalid_argument, "attributes must be a JSON object");
  key_attributes out;
  auto present = [&](const char* name) -> const json* {
    auto i = object.find(name);
    return i == object.end() || i->is_null() ? nullptr : &*i;
  };
  auto integer = [&](const char* name, std::optional<int64_t>& target) -> caf::error {
    if (auto v = present(name)) {
      if (!v->is_number_integer())
        return wrong_type(name, "an integer (Unix seconds)");
      target = v->get<int64_t>();
    }
    return {};
  };
  if (auto v = present("enabled")) {
    if (!v->is_boolean())
      return wrong_type("enabled", "a boolean");
    out.enabled = v->get<bool>();
  }
  std::optional<int64_t> created;
  std::optional<int64_t> updated;
  for (auto [name, target] :
       {std::pair{"nbf", &out.nbf}, std::pair{"exp", &out.exp}, std::pair{"created", &created},
        std::pair{"updated", &updated}, std::pair{"recoverableDays", &out.recoverable_days}})
    if (auto err = integer(name, *target))
      return err;
  out.created = created.value_or(0);
  out.updated = updated.value_or(0);
  if (auto v = present("recoveryLevel")) {
    if (!v->is_string())
      return wrong_type("recoveryLevel", "a string");
    out.recovery_level = v->get<std::string>();
  }
  if (auto v = present("exportable")) {
    if (!v->is_boolean())
      return wrong_type("exportable", "a boolean");
    out.exportable = v->get<bool>();
  }
  return out;
}

} // namespace bulkd::emulator::keyvault
