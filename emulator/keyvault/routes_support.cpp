#include "emulator/keyvault/routes_support.hpp"

#include "clients/base64url.hpp"
#include "emulator/keyvault/key_identifier.hpp"

#include <caf/message.hpp>
#include <spdlog/spdlog.h>

namespace bulkd::emulator::keyvault::rest {

using json = nlohmann::json;

void reply(call& c, int status, const json& body) {
  c.res.status = status;
  c.res.set_content(body.dump(), "application/json; charset=utf-8");
}

void reply_error(call& c, int status, std::string_view code, std::string_view message) {
  reply(c, status, {{"error", {{"code", code}, {"message", message}}}});
}

void key_not_found(call& c, std::string_view name, std::string_view version) {
  std::string id{name};
  if (!version.empty())
    id += "/" + std::string{version};
  reply_error(c, 404, "KeyNotFound",
              "A key with (name/id) " + id +
                  " was not found in this key vault. If you recently deleted this key you may be "
                  "able to recover it using the correct recovery command. For help resolving "
                  "this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
}

void deleted_key_not_found(call& c, std::string_view name) {
  reply_error(c, 404, "KeyNotFound", "Deleted Key not found: " + std::string{name});
}

void name_is_deleted(call& c, std::string_view name) {
  reply_error(c, 409, "Conflict",
              "Key " + std::string{name} +
                  " is currently in a deleted but recoverable state, and its name cannot be "
                  "reused; in this state, the key can only be recovered or purged.");
}

std::string message_of(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return render(err);
}

void store_error(call& c, const caf::error& err, std::string_view name, std::string_view version) {
  switch (static_cast<ec>(err.code())) {
  case ec::not_found:
    key_not_found(c, name, version);
    return;
  case ec::conflict:
    reply_error(c, 409, "Conflict",
                "There was a conflict with key " + std::string{name} + ": " + message_of(err));
    return;
  case ec::invalid_argument:
    reply_error(c, 400, "BadParameter", message_of(err));
    return;
  default:
    spdlog::error("keyvault: {} {}: {}", c.req.method, c.req.path, render(err));
    reply_error(c, 500, "InternalError", "The key store failed: " + render(err));
  }
}

std::optional<json> json_body(call& c) {
  if (c.body.empty()) {
    reply_error(c, 400, "BadParameter", "The request body is empty; a JSON object is required.");
    return std::nullopt;
  }
  auto parsed = json::parse(c.body, nullptr, false);
  if (parsed.is_discarded()) {
    reply_error(c, 400, "BadParameter", "The request body is not valid JSON.");
    return std::nullopt;
  }
  if (!parsed.is_object()) {
    reply_error(c, 400, "BadParameter", "The request body must be a JSON object.");
    return std::nullopt;
  }
  return parsed;
}

std::optional<page_request> paging(call& c) {
  page_request out;
  if (c.req.has_param("maxresults")) {
    auto text = c.req.get_param_value("maxresults");
    size_t value = 0;
    bool digits = !text.empty() && text.size() <= 3;
    for (char ch : text) {
      digits = digits && ch >= '0' && ch <= '9';
      value = value * 10 + static_cast<size_t>(ch - '0');
    }
    if (!digits || value < 1 || value > 25) {
      reply_error(c, 400, "BadParameter",
                  "Invalid maxresults '" + text + "': it must be an integer from 1 to 25.");
      return std::nullopt;
    }
    out.max = value;
  }
  if (c.req.has_param("$skiptoken")) {
    auto decoded = base64url_decode(c.req.get_param_value("$skiptoken"));
    if (!decoded || decoded->empty()) {
      reply_error(c, 400, "BadParameter", "The $skiptoken is not valid.");
      return std::nullopt;
    }
    out.token = std::move(*decoded);
  }
  return out;
}

void set_next_link(call& c, json& answer, const page_request& page, const std::string& token) {
  if (token.empty()) {
    answer["nextLink"] = nullptr;
    return;
  }
  auto base = c.ctx.vault_url;
  if (!base.empty() && base.back() == '/')
    base.pop_back();
  answer["nextLink"] = base + c.req.path + "?api-version=" + c.req.get_param_value("api-version") +
                       "&$skiptoken=" + base64url_encode(token) +
                       "&maxresults=" + std::to_string(page.max);
}

namespace {

void add_common(json& out, const key_record& record) {
  out["attributes"] = to_json(record.version.attributes);
  if (!record.version.tags.empty())
    out["tags"] = record.version.tags;
  if (record.version.managed)
    out["managed"] = true;
}

void add_deleted(json& out, const keyvault_context& ctx, const deleted_key_record& record) {
  auto base = ctx.vault_url;
  if (!base.empty() && base.back() == '/')
    base.pop_back();
  out["recoveryId"] = base + "/deletedkeys/" + record.latest.name;
  out["deletedDate"] = record.deleted_date;
  out["scheduledPurgeDate"] = record.scheduled_purge_date;
}

} // namespace

json key_bundle(const keyvault_context& ctx, const key_record& record) {
  auto key = record.version.key.public_jwk();
  key["kid"] = key_id(ctx.vault_url, record.name, record.version.version);
  key["key_ops"] = record.version.key_ops;
  json out{{"key", std::move(key)}};
  add_common(out, record);
  return out;
}

json key_item(const keyvault_context& ctx, const key_record& record, bool with_version) {
  json out{{"kid", key_id(ctx.vault_url, record.name,
                          with_version ? std::string_view{record.version.version} : "")}};
  add_common(out, record);
  return out;
}

json deleted_bundle(const keyvault_context& ctx, const deleted_key_record& record) {
  auto out = key_bundle(ctx, record.latest);
  add_deleted(out, ctx, record);
  return out;
}

json deleted_item(const keyvault_context& ctx, const deleted_key_record& record) {
  auto out = key_item(ctx, record.latest, false);
  add_deleted(out, ctx, record);
  return out;
}

} // namespace bulkd::emulator::keyvault::rest
