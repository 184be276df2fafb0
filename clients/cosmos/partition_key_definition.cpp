#include "clients/cosmos/partition_key_definition.hpp"

#include "clients/error.hpp"

#include <nlohmann/json.hpp>

namespace bulkd::cosmos {

namespace {

std::string_view trim(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

caf::error bad_path(std::string_view path, std::string why) {
  return make_error(ec::invalid_argument,
                    "invalid partition key path '" + std::string{path} + "': " + std::move(why));
}

caf::error bad_definition(std::string why) {
  return make_error(ec::invalid_argument, "invalid partition key definition: " + std::move(why));
}

pk_value component_of(const nlohmann::json* value) {
  if (value == nullptr)
    return pk_undefined{};
  switch (value->type()) {
  case nlohmann::json::value_t::string:
    return value->get<std::string>();
  case nlohmann::json::value_t::number_integer:
  case nlohmann::json::value_t::number_unsigned:
  case nlohmann::json::value_t::number_float:
    return value->get<double>();
  case nlohmann::json::value_t::boolean:
    return value->get<bool>();
  case nlohmann::json::value_t::null:
    return nullptr;
  default:
    return pk_undefined{};
  }
}

} // namespace

caf::expected<std::vector<std::string>> parse_partition_key_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] != '/')
      return bad_path(path, "expected '/' at offset " + std::to_string(pos));
    if (++pos == path.size())
      break;
    if (path[pos] == '"' || path[pos] == '\'') {
      auto quote = path[pos];
      auto start = ++pos;
      auto end = start;
      while (true) {
        end = path.find(quote, end);
        if (end == std::string_view::npos)
          return bad_path(path, std::string{"unterminated quote "} + quote + " at offset " +
                                    std::to_string(start - 1));
        if (path[end - 1] != '\\')
          break;
        ++end;
      }
      parts.emplace_back(path.substr(start, end - start));
      pos = end + 1;
    } else {
      auto end = path.find('/', pos);
      auto token = trim(path.substr(pos, end == std::string_view::npos ? end : end - pos));
      if (token.empty())
        return bad_path(path, "empty segment at offset " + std::to_string(pos));
      parts.emplace_back(token);
      pos = end == std::string_view::npos ? path.size() : end;
    }
  }
  if (parts.empty())
    return bad_path(path, "it names no property");
  return parts;
}

caf::expected<partition_key_definition>
make_partition_key_definition(std::vector<std::string> paths, partition_kind kind, int version) {
  partition_key_definition def;
  def.kind = kind;
  def.version = version;
  if (paths.empty())
    return bad_definition("'paths' must be a non-empty array");
  if (version != 1 && version != 2)
    return bad_definition("unsupported version " + std::to_string(version) + " (expected 1 or 2)");
  for (auto& path : paths) {
    auto parts = parse_partition_key_path(path);
    if (!parts)
      return parts.error();
    def.path_segments.push_back(std::move(*parts));
  }
  def.paths = std::move(paths);
  if (def.kind == partition_kind::hash && def.paths.size() != 1)
    return bad_definition("kind Hash takes exactly one path, got " +
                          std::to_string(def.paths.size()));
  if (def.kind == partition_kind::multi_hash) {
    if (def.version != 2)
      return bad_definition("kind MultiHash needs version 2");
    if (def.paths.size() > 3)
      return bad_definition("kind MultiHash takes at most 3 paths, got " +
                            std::to_string(def.paths.size()));
  }
  return def;
}

caf::expected<partition_key_definition> parse_partition_key_definition(const nlohmann::json& json) {
  if (!json.is_object())
    return bad_definition("expected an object");
  auto json_paths = json.find("paths");
  if (json_paths == json.end() || !json_paths->is_array() || json_paths->empty())
    return bad_definition("'paths' must be a non-empty array");
  std::vector<std::string> paths;
  for (const auto& path : *json_paths) {
    if (!path.is_string())
      return bad_definition("every path must be a string");
    paths.push_back(path.get<std::string>());
  }
  auto kind = partition_kind::hash;
  if (auto k = json.find("kind"); k != json.end() && !k->is_null()) {
    if (*k == "Hash")
      kind = partition_kind::hash;
    else if (*k == "MultiHash")
      kind = partition_kind::multi_hash;
    else
      return bad_definition("unsupported kind " + k->dump() + " (expected Hash or MultiHash)");
  }
  int version = 1;
  if (auto v = json.find("version"); v != json.end() && !v->is_null()) {
    if (!v->is_number_integer() || (*v != 1 && *v != 2))
      return bad_definition("unsupported version " + v->dump() + " (expected 1 or 2)");
    version = v->get<int>();
  }
  return make_partition_key_definition(std::move(paths), kind, version);
}

caf::expected<partition_key> extract_partition_key(const nlohmann::json& document,
                                                   const partition_key_definition& definition) {
  if (!document.is_object())
    return make_error(ec::invalid_argument, "a document must be a JSON object");
  partition_key key;
  key.reserve(definition.paths.size());
  bool parsed = definition.path_segments.size() == definition.paths.size();
  for (size_t i = 0; i < definition.paths.size(); ++i) {
    std::vector<std::string> own;
    if (!parsed) {
      auto parts = parse_partition_key_path(definition.paths[i]);
      if (!parts)
        return parts.error();
      own = std::move(*parts);
    }
    const auto& segments = parsed ? definition.path_segments[i] : own;
    const nlohmann::json* node = &document;
    for (const auto& part : segments) {
      if (!node->is_object()) {
        node = nullptr;
        break;
      }
      auto it = node->find(part);
      if (it == node->end()) {
        node = nullptr;
        break;
      }
      node = &*it;
    }
    key.push_back(component_of(node));
  }
  return key;
}

caf::expected<partition_key> extract_partition_key(std::string_view document,
                                                   const partition_key_definition& definition) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(document);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ec::parse_error, std::string{"the document is not valid JSON: "} + e.what());
  }
  return extract_partition_key(json, definition);
}

} // namespace bulkd::cosmos
