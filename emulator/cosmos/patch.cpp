#include "emulator/cosmos/patch.hpp"

#include "clients/error.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace bulkd::emulator::cosmos {

namespace {

using nlohmann::json;

const char* const operation_names[] = {"add", "set", "replace", "remove", "incr", "move"};

caf::error bad(const std::string& message) {
  return make_error(ec::invalid_argument, message);
}

std::string lower(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

caf::expected<std::vector<std::string>> split_path(const std::string& path) {
  if (path.empty() || path.front() != '/')
    return bad("The patch path '" + path + "' must start with '/'");
  if (path == "/")
    return bad("The patch path '/' addresses the whole document; patch its properties instead");
  std::vector<std::string> out;
  size_t pos = 1;
  for (;;) {
    auto slash = path.find('/', pos);
    auto raw = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (raw.empty())
      return bad("The patch path '" + path + "' has an empty segment");
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        token += raw[i];
      } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        return bad("The patch path '" + path + "' has a '~' not followed by 0 or 1");
      }
    }
    out.push_back(std::move(token));
    if (slash == std::string::npos)
      return out;
    pos = slash + 1;
  }
}

// An array index: digits without a leading zero; nullopt otherwise.
std::optional<size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0'))
    return std::nullopt;
  if (!std::all_of(token.begin(), token.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  return static_cast<size_t>(std::stoul(token));
}

// The container holding the path's last segment.
caf::expected<json*> parent_of(json& doc, const std::vector<std::string>& tokens,
                               const std::string& path) {
  json* at = &doc;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const auto& t = tokens[i];
    if (at->is_object()) {
      auto it = at->find(t);
      if (it == at->end())
        return bad("The patch path '" + path + "' does not exist: no property '" + t + "'");
      at = &*it;
    } else if (at->is_array()) {
      auto index = array_index(t);
      if (!index || *index >= at->size())
        return bad("The patch path '" + path + "' does not exist: no array element '" + t + "'");
      at = &(*at)[*index];
    } else {
      return bad("The patch path '" + path + "' does not exist: '" + t +
                 "' is below a value that is neither an object nor an array");
    }
  }
  if (!at->is_object() && !at->is_array())
    return bad("The patch path '" + path +
               "' does not exist: its parent is neither an object nor an array");
  return at;
}

caf::expected<json> increment(const json& current, const json& by, const std::string& path) {
  if (!current.is_number())
    return bad("The incr operation on '" + path + "' needs a number there, not " +
               std::string{current.type_name()});
  // Integers stay integers while the sum fits int64; beyond that (or with a float, or an unsigned
  // above INT64_MAX) the sum is a double, as JavaScript clients compute it.
  auto as_int64 = [](const json& v) -> std::optional<int64_t> {
    if (v.is_number_unsigned()) {
      auto u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return std::nullopt;
      return static_cast<int64_t>(u);
    }
    if (v.is_number_integer())
      return v.get<int64_t>();
    return std::nullopt;
  };
  auto a = as_int64(current);
  auto b = as_int64(by);
  int64_t sum = 0;
  if (a && b && !__builtin_add_overflow(*a, *b, &sum))
    return json(sum);
  auto result = current.get<double>() + by.get<double>();
  if (!std::isfinite(result))
    return bad("The incr operation on '" + path + "' overflows the range of numbers");
  return json(result);
}

caf::error apply_one(json& doc, const std::string& op, const std::string& path, const json& value) {
  auto tokens = split_path(path);
  if (!tokens)
    return tokens.error();
  auto parent = parent_of(doc, *tokens, path);
  if (!parent)
    return parent.error();
  auto& p = **parent;
  const auto& last = tokens->back();
  auto missing = [&] {
    return bad("The patch operation " + op + " needs an existing target, and '" + path +
               "' does not exist");
  };
  if (p.is_object()) {
    auto it = p.find(last);
    bool exists = it != p.end();
    if (op == "add" || op == "set") {
      p[last] = value;
    } else if (op == "replace") {
      if (!exists)
        return missing();
      *it = value;
    } else if (op == "remove") {
      if (!exists)
        return missing();
      p.erase(it);
    } else { // incr
      if (!exists) {
        p[last] = value;
      } else {
        auto sum = increment(*it, value, path);
        if (!sum)
          return sum.error();
        *it = std::move(*sum);
      }
    }
    return {};
  }
  // An array.
  if (last == "-") {
    if (op != "add" && op != "set")
      return bad("The patch operation " + op + " cannot use '-' (the end of an array) in '" + path +
                 "'");
    p.push_back(value);
    return {};
  }
  auto index = array_index(last);
  if (!index)
    return bad("The patch path '" + path + "' needs an array index, not '" + last + "'");
  auto size = p.size();
  if (op == "add" || (op == "set" && *index == size)) {
    if (*index > size)
      return bad("The array index " + last + " in '" + path + "' is beyond the end (size " +
                 std::to_string(size) + ")");
    p.insert(p.begin() + static_cast<std::ptrdiff_t>(*index), value);
    return {};
  }
  if (*index >= size)
    return missing();
  if (op == "set" || op == "replace") {
    p[*index] = value;
  } else if (op == "remove") {
    p.erase(*index);
  } else {
    auto sum = increment(p[*index], value, path);
    if (!sum)
      return sum.error();
    p[*index] = std::move(*sum);
  }
  return {};
}

// Reads the value at path (for move).
caf::expected<json> take(json& doc, const std::string& path) {
  auto tokens = split_path(path);
  if (!tokens)
    return tokens.error();
  auto parent = parent_of(doc, *tokens, path);
  if (!parent)
    return parent.error();
  auto& p = **parent;
  if (p.is_object()) {
    auto it = p.find(tokens->back());
    if (it == p.end())
      return bad("The move source '" + path + "' does not exist");
    return *it;
  }
  auto index = array_index(tokens->back());
  if (!index || *index >= p.size())
    return bad("The move source '" + path + "' does not exist");
  return p[*index];
}

} // namespace

caf::expected<patch_request> parse_patch_request(const json& body) {
  patch_request out;
  if (body.is_array()) {
    out.operations = body;
  } else if (body.is_object()) {
    auto ops = body.find("operations");
    if (ops == body.end() || !ops->is_array())
      return bad("The patch body needs an 'operations' array");
    out.operations = *ops;
    if (auto cond = body.find("condition"); cond != body.end() && !cond->is_null()) {
      if (!cond->is_string())
        return bad("The patch condition must be a string like \"FROM c WHERE c.n > 0\"");
      out.condition = cond->get<std::string>();
    }
  } else {
    return bad("The patch body must be an object with 'operations' or an array of operations");
  }
  if (out.operations.empty())
    return bad("The patch has no operations");
  if (out.operations.size() > max_patch_operations)
    return bad("A patch may have at most " + std::to_string(max_patch_operations) +
               " operations, this one has " + std::to_string(out.operations.size()));
  for (auto& op : out.operations) {
    if (!op.is_object())
      return bad("Every patch operation must be an object");
    auto name = op.find("op");
    if (name == op.end() || !name->is_string())
      return bad("A patch operation has no 'op' string");
    auto kind = lower(name->get<std::string>());
    if (std::find(std::begin(operation_names), std::end(operation_names), kind) ==
        std::end(operation_names))
      return bad("Unknown patch operation '" + name->get<std::string>() +
                 "' (supported: add, set, replace, remove, incr, move)");
    op["op"] = kind;
    auto path = op.find("path");
    if (path == op.end() || !path->is_string())
      return bad("The patch operation " + kind + " has no 'path' string");
    if (auto tokens = split_path(path->get<std::string>()); !tokens)
      return tokens.error();
    bool needs_value = kind != "remove" && kind != "move";
    if (needs_value && !op.contains("value"))
      return bad("The patch operation " + kind + " on '" + path->get<std::string>() +
                 "' has no 'value'");
    if (kind == "incr" && !op["value"].is_number())
      return bad("The incr operation on '" + path->get<std::string>() +
                 "' needs a number value, not " + std::string{op["value"].type_name()});
    if (kind == "move") {
      auto from = op.find("from");
      if (from == op.end() || !from->is_string())
        return bad("The move operation to '" + path->get<std::string>() + "' has no 'from' string");
      if (auto tokens = split_path(from->get<std::string>()); !tokens)
        return tokens.error();
      auto f = from->get<std::string>();
      if (path->get<std::string>().starts_with(f + "/"))
        return bad("The move operation cannot move '" + f + "' into its own child '" +
                   path->get<std::string>() + "'");
    }
  }
  return out;
}

caf::expected<json> apply_patch(json doc, const json& operations) {
  for (const auto& op : operations) {
    auto kind = op["op"].get<std::string>();
    auto path = op["path"].get<std::string>();
    if (kind == "move") {
      auto from = op["from"].get<std::string>();
      auto value = take(doc, from);
      if (!value)
        return value.error();
      if (auto err = apply_one(doc, "remove", from, nullptr))
        return err;
      if (auto err = apply_one(doc, "set", path, *value))
        return err;
      continue;
    }
    if (auto err = apply_one(doc, kind, path, op.contains("value") ? op["value"] : json()))
      return err;
  }
  return doc;
}

} // namespace bulkd::emulator::cosmos
