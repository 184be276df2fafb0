// Create, import, get, update and list keys and versions.

#include "emulator/keyvault/key_identifier.hpp"
#include "emulator/keyvault/routes_support.hpp"

namespace bulkd::emulator::keyvault::rest {

namespace {

using json = nlohmann::json;

/// A field of the request body, or nullptr when absent or null.
const json* field(const json& body, const char* name) {
  auto i = body.find(name);
  return i == body.end() || i->is_null() ? nullptr : &*i;
}

bool bad(call& c, const std::string& message) {
  reply_error(c, 400, "BadParameter", message);
  return false;
}

bool read_key_ops(call& c, const json& value, std::vector<std::string>& out) {
  if (!value.is_array())
    return bad(c, "key_ops must be an array of strings.");
  out.clear();
  for (auto& op : value) {
    if (!op.is_string() || !is_known_key_op(op.get<std::string>()))
      return bad(c, "Invalid key operation: " + op.dump() + ".");
    out.push_back(op.get<std::string>());
  }
  return true;
}

bool read_tags(call& c, const json& value, std::map<std::string, std::string>& out) {
  if (!value.is_object())
    return bad(c, "tags must be an object of strings.");
  out.clear();
  for (auto& [k, v] : value.items()) {
    if (!v.is_string())
      return bad(c, "The value of tag '" + k + "' must be a string.");
    out[k] = v.get<std::string>();
  }
  return true;
}

/// Applies the settable attributes present in `value` (enabled, nbf, exp, exportable; null
/// clears nbf and exp); the read-only ones are ignored.
bool read_attributes(call& c, const json& value, key_attributes& out) {
  auto parsed = parse_key_attributes(value);
  if (!parsed)
    return bad(c, "Invalid attributes: " + message_of(parsed.error()) + ".");
  if (value.contains("enabled") && !value["enabled"].is_null())
    out.enabled = parsed->enabled;
  if (value.contains("nbf"))
    out.nbf = parsed->nbf;
  if (value.contains("exp"))
    out.exp = parsed->exp;
  if (value.contains("exportable"))
    out.exportable = parsed->exportable;
  return true;
}

/// Attributes, tags and key_ops of a new version from a create or import body.
bool read_new_version(call& c, const json& body, key_version_backup& v) {
  v.attributes.created = v.attributes.updated = c.now;
  v.attributes.recovery_level = "Recoverable+Purgeable";
  v.attributes.recoverable_days = c.ctx.recoverable_days;
  if (auto a = field(body, "attributes"); a && !read_attributes(c, *a, v.attributes))
    return false;
  if (auto t = field(body, "tags"); t && !read_tags(c, *t, v.tags))
    return false;
  return true;
}

bool valid_name(call& c, const std::string& name) {
  if (is_valid_key_name(name))
    return true;
  return bad(c, "The key name '" + name +
                    "' is invalid: use 1 to 127 characters of 0-9, a-z, A-Z and '-'.");
}

void store_new_version(call& c, const std::string& name, const key_version_backup& v) {
  auto added = c.ctx.store->add_version(name, v);
  if (!added) {
    if (static_cast<ec>(added.error().code()) == ec::conflict)
      name_is_deleted(c, name);
    else
      store_error(c, added.error(), name);
    return;
  }
  reply(c, 200, key_bundle(c.ctx, *added));
}

void create_key(call& c) {
  auto name = c.arg(1);
  if (!valid_name(c, name))
    return;
  auto body = json_body(c);
  if (!body)
    return;
  auto kty = field(*body, "kty");
  if (!kty || !kty->is_string()) {
    reply_error(c, 400, "BadParameter", "The key type (kty) is required.");
    return;
  }
  if (!parse_kty(kty->get<std::string>())) {
    reply_error(c, 400, "BadParameter",
                "The key type '" + kty->get<std::string>() +
                    "' is not supported; use RSA, RSA-HSM, EC, EC-HSM, oct or oct-HSM.");
    return;
  }
  key_options options{kty->get<std::string>(), {}, {}, {}};
  if (auto size = field(*body, "key_size")) {
    if (!size->is_number_integer()) {
      reply_error(c, 400, "BadParameter", "key_size must be an integer.");
      return;
    }
    options.key_size = size->get<int64_t>();
  }
  if (auto crv = field(*body, "crv")) {
    if (!crv->is_string()) {
      reply_error(c, 400, "BadParameter", "crv must be a string.");
      return;
    }
    options.curve = crv->get<std::string>();
  }
  if (auto e = field(*body, "public_exponent")) {
    if (!e->is_number_integer()) {
      reply_error(c, 400, "BadParameter", "public_exponent must be an integer.");
      return;
    }
    options.public_exponent = e->get<int64_t>();
  }
  key_version_backup v;
  if (!read_new_version(c, *body, v))
    return;
  auto key = key_material::generate(options);
  if (!key) {
    reply_error(c, 400, "BadParameter", message_of(key.error()));
    return;
  }
  v.key = std::move(*key);
  v.key_ops = v.key.default_key_ops();
  if (auto ops = field(*body, "key_ops"); ops && !read_key_ops(c, *ops, v.key_ops))
    return;
  v.version = new_key_version();
  store_new_version(c, name, v);
}

void import_key(call& c) {
  auto name = c.arg(1);
  if (!valid_name(c, name))
    return;
  auto body = json_body(c);
  if (!body)
    return;
  auto jwk = field(*body, "key");
  if (!jwk || !jwk->is_object()) {
    reply_error(c, 400, "BadParameter", "The key to import (key) is required.");
    return;
  }
  auto key = key_material::from_jwk(*jwk);
  if (!key) {
    reply_error(c, 400, "BadParameter", "Invalid key: " + message_of(key.error()));
    return;
  }
  if (!key->has_private()) {
    reply_error(c, 400, "BadParameter",
                "The key to import has no private material; Key Vault imports private keys.");
    return;
  }
  if (auto hsm = field(*body, "Hsm")) {
    if (!hsm->is_boolean()) {
      reply_error(c, 400, "BadParameter", "Hsm must be a boolean.");
      return;
    }
    if (hsm->get<bool>())
      *key = key->with_hsm(true);
  }
  key_version_backup v;
  if (!read_new_version(c, *body, v))
    return;
  v.key = std::move(*key);
  v.key_ops = v.key.default_key_ops();
  if (auto ops = field(*jwk, "key_ops"); ops && !read_key_ops(c, *ops, v.key_ops))
    return;
  v.version = new_key_version();
  store_new_version(c, name, v);
}

void get_key(call& c) {
  auto name = c.arg(1);
  auto version = c.req.matches.size() > 2 ? c.arg(2) : std::string{};
  auto found = version.empty() ? c.ctx.store->latest(name) : c.ctx.store->get(name, version);
  if (!found) {
    store_error(c, found.error(), name, version);
    return;
  }
  reply(c, 200, key_bundle(c.ctx, *found));
}

void update_key(call& c) {
  auto name = c.arg(1);
  auto version = c.arg(2);
  auto body = json_body(c);
  if (!body)
    return;
  // Validate everything before the store transaction; the change itself cannot fail.
  key_attributes probe;
  std::map<std::string, std::string> tags;
  std::vector<std::string> ops;
  auto a = field(*body, "attributes");
  auto t = field(*body, "tags");
  auto o = field(*body, "key_ops");
  if ((a && !read_attributes(c, *a, probe)) || (t && !read_tags(c, *t, tags)) ||
      (o && !read_key_ops(c, *o, ops)))
    return;
  auto now = c.now;
  auto updated = c.ctx.store->update(name, version, [&](key_version_backup& v) {
    if (a)
      read_attributes(c, *a, v.attributes);
    if (t)
      v.tags = tags;
    if (o)
      v.key_ops = ops;
    v.attributes.updated = now;
    return caf::error{};
  });
  if (!updated) {
    store_error(c, updated.error(), name, version);
    return;
  }
  reply(c, 200, key_bundle(c.ctx, *updated));
}

void list_keys(call& c) {
  auto page = paging(c);
  if (!page)
    return;
  auto found = c.ctx.store->list_keys(page->token, page->max);
  if (!found) {
    store_error(c, found.error(), "");
    return;
  }
  json answer{{"value", json::array()}};
  for (auto& record : found->items)
    answer["value"].push_back(key_item(c.ctx, record, false));
  set_next_link(c, answer, *page, found->more ? found->items.back().name : std::string{});
  reply(c, 200, answer);
}

void list_versions(call& c) {
  auto name = c.arg(1);
  auto page = paging(c);
  if (!page)
    return;
  int64_t after = 0;
  if (!page->token.empty()) {
    try {
      after = std::stoll(page->token);
    } catch (const std::exception&) {
      reply_error(c, 400, "BadParameter", "The $skiptoken is not valid.");
      return;
    }
  }
  int64_t last = after;
  auto found = c.ctx.store->list_versions(name, after, page->max, &last);
  if (!found) {
    store_error(c, found.error(), name);
    return;
  }
  json answer{{"value", json::array()}};
  for (auto& record : found->items)
    answer["value"].push_back(key_item(c.ctx, record, true));
  set_next_link(c, answer, *page, found->more ? std::to_string(last) : std::string{});
  reply(c, 200, answer);
}

} // namespace

void register_key_routes(httplib::Server& server, keyvault_context& ctx) {
  route(server, ctx, verb::get, "/keys/?", list_keys);
  route(server, ctx, verb::get, "/keys/([^/]+)/versions/?", list_versions);
  route(server, ctx, verb::get, "/keys/([^/]+)/?", get_key);
  route(server, ctx, verb::get, "/keys/([^/]+)/([^/]+)/?", get_key);
  route(server, ctx, verb::post, "/keys/([^/]+)/create", create_key);
  route(server, ctx, verb::put, "/keys/([^/]+)", import_key);
  route(server, ctx, verb::patch, "/keys/([^/]+)/([^/]*)", update_key);
}

} // namespace bulkd::emulator::keyvault::rest
