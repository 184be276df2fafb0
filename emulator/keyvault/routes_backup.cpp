// Backup (every version of a key in one sealed blob) and restore.

#include "clients/base64url.hpp"
#include "emulator/keyvault/routes_support.hpp"

#include <spdlog/spdlog.h>

namespace bulkd::emulator::keyvault::rest {

namespace {

using json = nlohmann::json;

void backup_key(call& c) {
  auto name = c.arg(1);
  auto backup = c.ctx.store->backup(name);
  if (!backup) {
    store_error(c, backup.error(), name);
    return;
  }
  for (auto& v : backup->versions) {
    if (v.managed) {
      reply_error(c, 403, "Forbidden",
                  "Operation \"backup\" is not allowed on this Key, since it is associated with a "
                  "certificate. Perform the operation on the corresponding certificate.");
      return;
    }
  }
  auto blob = encode_backup(*backup, c.ctx.store->backup_secret());
  if (!blob) {
    store_error(c, blob.error(), name);
    return;
  }
  reply(c, 200, {{"value", base64url_encode(*blob)}});
}

void malformed(call& c, const std::string& why) {
  spdlog::debug("keyvault: refused a backup blob: {}", why);
  reply_error(c, 400, malformed_backup_code, malformed_backup_message);
}

void restore_key(call& c) {
  auto body = json_body(c);
  if (!body)
    return;
  auto value = body->find("value");
  if (value == body->end() || !value->is_string()) {
    reply_error(c, 400, "BadParameter", "The backup blob (value) is required.");
    return;
  }
  auto blob = base64url_decode(value->get<std::string>());
  if (!blob) {
    malformed(c, render(blob.error()));
    return;
  }
  auto backup = decode_backup(*blob, c.ctx.store->backup_secret());
  if (!backup) {
    malformed(c, render(backup.error()));
    return;
  }
  auto restored = c.ctx.store->restore(*backup);
  if (!restored) {
    if (static_cast<ec>(restored.error().code()) == ec::conflict)
      reply_error(c, 409, "Conflict",
                  "There was a conflict restoring the key " + backup->name +
                      ": a key with this name exists or is deleted but not yet purged.");
    else
      store_error(c, restored.error(), backup->name);
    return;
  }
  reply(c, 200, key_bundle(c.ctx, *restored));
}

} // namespace

void register_backup_routes(httplib::Server& server, keyvault_context& ctx) {
  route(server, ctx, verb::post, "/keys/restore/?", restore_key);
  route(server, ctx, verb::post, "/keys/([^/]+)/backup", backup_key);
}

} // namespace bulkd::emulator::keyvault::rest
