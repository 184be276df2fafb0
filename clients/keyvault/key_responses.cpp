#include "clients/keyvault/key_responses.hpp"

#include "clients/base64url.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/keyvault/service_error.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace bulkd::keyvault {

namespace {

using json = nlohmann::json;

caf::error bad(const std::string& field, const std::string& why) {
  return make_error(ec::parse_error, "Key Vault response: " + field + ": " + why);
}

caf::expected<json> parse_body(const http_response& resp, int expected_status) {
  if (resp.status != expected_status)
    return response_error(resp);
  auto doc = json::parse(resp.body, nullptr, false);
  if (doc.is_discarded())
    return make_error(ec::parse_error, "Key Vault response: body is not JSON");
  if (!doc.is_object())
    return make_error(ec::parse_error, "Key Vault response: body is not a JSON object");
  return doc;
}

// The member or nullptr when absent or null.
const json* member(const json& obj, const char* name) {
  auto i = obj.find(name);
  return i == obj.end() || i->is_null() ? nullptr : &*i;
}

caf::error read_string(const json& obj, const char* name, const std::string& path,
                       std::string& out) {
  if (auto* v = member(obj, name)) {
    if (!v->is_string())
      return bad(path + name, "expected a string");
    out = v->get<std::string>();
  }
  return caf::none;
}

caf::error read_bool(const json& obj, const char* name, const std::string& path,
                     std::optional<bool>& out) {
  if (auto* v = member(obj, name)) {
    if (!v->is_boolean())
      return bad(path + name, "expected true or false");
    out = v->get<bool>();
  }
  return caf::none;
}

// Integers, and numeric strings as the C++ SDK tolerates them.
caf::error read_int(const json& obj, const char* name, const std::string& path,
                    std::optional<int64_t>& out) {
  auto* v = member(obj, name);
  if (v == nullptr)
    return caf::none;
  if (v->is_number_integer()) {
    out = v->get<int64_t>();
    return caf::none;
  }
  if (v->is_string()) {
    auto s = v->get<std::string>();
    int64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (!s.empty() && ec == std::errc{} && end == s.data() + s.size()) {
      out = value;
      return caf::none;
    }
  }
  return bad(path + name, "expected an integer");
}

caf::error read_attributes(const json& obj, key_attributes& out) {
  auto* attrs = member(obj, "attributes");
  if (attrs == nullptr)
    return caf::none;
  if (!attrs->is_object())
    return bad("attributes", "expected an object");
  const std::string p = "attributes.";
  if (auto err = read_bool(*attrs, "enabled", p, out.enabled))
    return err;
  if (auto err = read_int(*attrs, "created", p, out.created))
    return err;
  if (auto err = read_int(*attrs, "updated", p, out.updated))
    return err;
  if (auto err = read_int(*attrs, "exp", p, out.expires))
    return err;
  if (auto err = read_int(*attrs, "nbf", p, out.not_before))
    return err;
  if (auto err = read_int(*attrs, "recoverableDays", p, out.recoverable_days))
    return err;
  if (auto err = read_string(*attrs, "recoveryLevel", p, out.recovery_level))
    return err;
  return read_bool(*attrs, "exportable", p, out.exportable);
}

caf::error read_tags(const json& obj, std::map<std::string, std::string>& out) {
  auto* tags = member(obj, "tags");
  if (tags == nullptr)
    return caf::none;
  if (!tags->is_object())
    return bad("tags", "expected an object");
  for (auto& [k, v] : tags->items()) {
    if (!v.is_string())
      return bad("tags." + k, "expected a string");
    out.emplace(k, v.get<std::string>());
  }
  return caf::none;
}

caf::error read_kid(const json& obj, const std::string& path, key_properties& out) {
  auto* kid = member(obj, "kid");
  if (kid == nullptr)
    return bad(path + "kid", "missing");
  if (!kid->is_string())
    return bad(path + "kid", "expected a string");
  auto id = parse_key_identifier(kid->get<std::string>());
  if (!id)
    return bad(path + "kid", cosmos::error_message(id.error()));
  if (id->collection != "keys")
    return bad(path + "kid", "expected a /keys/ identifier");
  out.kid = kid->get<std::string>();
  out.id = std::move(*id);
  return caf::none;
}

caf::error read_common(const json& obj, key_properties& out) {
  if (auto err = read_attributes(obj, out.attributes))
    return err;
  if (auto err = read_tags(obj, out.tags))
    return err;
  std::optional<bool> managed;
  if (auto err = read_bool(obj, "managed", "", managed))
    return err;
  out.managed = managed.value_or(false);
  return caf::none;
}

// KeyItem / DeletedKeyItem: kid at the top.
caf::expected<key_properties> item_from_json(const json& obj, const std::string& path) {
  if (!obj.is_object())
    return bad(path, "expected an object");
  key_properties out;
  if (auto err = read_kid(obj, path + ".", out))
    return err;
  if (auto err = read_common(obj, out))
    return err;
  return out;
}

// KeyBundle: kid, kty and key_ops inside "key".
caf::expected<key_properties> bundle_from_json(const json& obj) {
  auto* key = member(obj, "key");
  if (key == nullptr)
    return bad("key", "missing");
  if (!key->is_object())
    return bad("key", "expected an object");
  key_properties out;
  if (auto err = read_kid(*key, "key.", out))
    return err;
  if (auto err = read_string(*key, "kty", "key.", out.kty))
    return err;
  if (auto* ops = member(*key, "key_ops")) {
    if (!ops->is_array())
      return bad("key.key_ops", "expected an array");
    for (auto& op : *ops) {
      if (!op.is_string())
        return bad("key.key_ops", "expected an array of strings");
      out.key_ops.push_back(op.get<std::string>());
    }
  }
  if (auto err = read_common(obj, out))
    return err;
  return out;
}

caf::error read_deleted(const json& obj, deleted_key_properties& out) {
  if (auto err = read_string(obj, "recoveryId", "", out.recovery_id))
    return err;
  if (!out.recovery_id.empty()) {
    auto id = parse_key_identifier(out.recovery_id);
    if (!id || id->collection != "deletedkeys")
      return bad("recoveryId",
                 "expected https://{vault}/deletedkeys/{name}, got \"" + out.recovery_id + "\"");
  }
  if (auto err = read_int(obj, "deletedDate", "", out.deleted_date))
    return err;
  return read_int(obj, "scheduledPurgeDate", "", out.scheduled_purge_date);
}

template <class Item, class F>
caf::expected<page<Item>> parse_page(const http_response& resp, F item) {
  auto doc = parse_body(resp, 200);
  if (!doc)
    return std::move(doc.error());
  page<Item> out;
  if (auto* value = member(*doc, "value")) {
    if (!value->is_array())
      return bad("value", "expected an array");
    for (size_t i = 0; i < value->size(); ++i) {
      auto x = item((*value)[i], "value[" + std::to_string(i) + "]");
      if (!x)
        return std::move(x.error());
      out.items.push_back(std::move(*x));
    }
  }
  std::string next;
  if (auto err = read_string(*doc, "nextLink", "", next))
    return err;
  if (!next.empty())
    out.next_link = std::move(next);
  return out;
}

} // namespace

caf::expected<key_page> parse_key_list(const http_response& resp) {
  return parse_page<key_properties>(resp, item_from_json);
}

caf::expected<deleted_key_page> parse_deleted_key_list(const http_response& resp) {
  return parse_page<deleted_key_properties>(
      resp, [](const json& obj, const std::string& path) -> caf::expected<deleted_key_properties> {
        auto key = item_from_json(obj, path);
        if (!key)
          return std::move(key.error());
        deleted_key_properties out{std::move(*key), {}, {}, {}};
        if (auto err = read_deleted(obj, out))
          return err;
        return out;
      });
}

caf::expected<key_properties> parse_key(const http_response& resp) {
  auto doc = parse_body(resp, 200);
  if (!doc)
    return std::move(doc.error());
  return bundle_from_json(*doc);
}

caf::expected<deleted_key_properties> parse_deleted_key(const http_response& resp) {
  auto doc = parse_body(resp, 200);
  if (!doc)
    return std::move(doc.error());
  auto key = bundle_from_json(*doc);
  if (!key)
    return std::move(key.error());
  deleted_key_properties out{std::move(*key), {}, {}, {}};
  if (auto err = read_deleted(*doc, out))
    return err;
  return out;
}

caf::expected<std::string> parse_backup(const http_response& resp) {
  auto doc = parse_body(resp, 200);
  if (!doc)
    return std::move(doc.error());
  auto* value = member(*doc, "value");
  if (value == nullptr)
    return bad("value", "missing");
  if (!value->is_string())
    return bad("value", "expected a string");
  auto text = value->get<std::string>();
  if (text.empty())
    return bad("value", "empty backup blob");
  auto bytes = base64url_decode(text);
  if (!bytes)
    return bad("value", "not base64url: " + cosmos::error_message(bytes.error()));
  return std::move(*bytes);
}

caf::error check_purged(const http_response& resp) {
  if (resp.status == 204 || resp.status == 200)
    return caf::none;
  return response_error(resp);
}

} // namespace bulkd::keyvault
