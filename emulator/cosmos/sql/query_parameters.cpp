#include "emulator/cosmos/sql/query_parameters.hpp"

#include "emulator/cosmos/sql/sql_error.hpp"

namespace bulkd::emulator::cosmos::sql {

caf::expected<parameter_map> parse_parameters(const nlohmann::json& parameters) {
  parameter_map out;
  if (parameters.is_null())
    return out;
  if (!parameters.is_array())
    return sql_error("parameters must be an array");
  for (size_t i = 0; i < parameters.size(); ++i) {
    const auto& entry = parameters[i];
    auto where = "parameter " + std::to_string(i);
    if (!entry.is_object())
      return sql_error(where + " must be an object");
    auto name = entry.find("name");
    if (name == entry.end() || !name->is_string())
      return sql_error(where + " needs a string \"name\"");
    auto text = name->get<std::string>();
    if (text.size() < 2 || text[0] != '@')
      return sql_error("parameter name must start with '@': \"" + text + "\"");
    std::optional<nlohmann::json> value;
    if (auto v = entry.find("value"); v != entry.end())
      value = *v;
    if (!out.emplace(text, std::move(value)).second)
      return sql_error("duplicate parameter " + text);
  }
  return out;
}

} // namespace bulkd::emulator::cosmos::sql
