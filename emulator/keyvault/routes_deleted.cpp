// Soft delete: delete, deleted keys (get, list), recover and purge.

#include "emulator/keyvault/routes_support.hpp"

#include <spdlog/spdlog.h>

namespace bulkd::emulator::keyvault::rest {

namespace {

using json = nlohmann::json;

/// Keys past their scheduled purge date go before any soft-delete operation looks at them.
void purge_expired(call& c) {
  if (auto purged = c.ctx.store->purge_expired(c.now); !purged)
    spdlog::warn("keyvault: purging expired deleted keys failed: {}", render(purged.error()));
}

bool is_not_found(const caf::error& err) {
  return static_cast<ec>(err.code()) == ec::not_found;
}

void delete_key(call& c) {
  auto name = c.arg(1);
  purge_expired(c);
  auto deleted = c.ctx.store->soft_delete(name, c.now, c.ctx.recoverable_days);
  if (!deleted) {
    store_error(c, deleted.error(), name);
    return;
  }
  reply(c, 200, deleted_bundle(c.ctx, *deleted));
}

void get_deleted(call& c) {
  auto name = c.arg(1);
  purge_expired(c);
  auto found = c.ctx.store->get_deleted(name);
  if (!found) {
    if (is_not_found(found.error()))
      deleted_key_not_found(c, name);
    else
      store_error(c, found.error(), name);
    return;
  }
  reply(c, 200, deleted_bundle(c.ctx, *found));
}

void list_deleted(call& c) {
  auto page = paging(c);
  if (!page)
    return;
  purge_expired(c);
  auto found = c.ctx.store->list_deleted(page->token, page->max);
  if (!found) {
    store_error(c, found.error(), "");
    return;
  }
  json answer{{"value", json::array()}};
  for (auto& record : found->items)
    answer["value"].push_back(deleted_item(c.ctx, record));
  set_next_link(c, answer, *page, found->more ? found->items.back().latest.name : std::string{});
  reply(c, 200, answer);
}

void recover(call& c) {
  auto name = c.arg(1);
  purge_expired(c);
  auto recovered = c.ctx.store->recover(name);
  if (!recovered) {
    if (is_not_found(recovered.error()))
      deleted_key_not_found(c, name);
    else
      store_error(c, recovered.error(), name);
    return;
  }
  reply(c, 200, key_bundle(c.ctx, *recovered));
}

void purge(call& c) {
  auto name = c.arg(1);
  purge_expired(c);
  if (auto err = c.ctx.store->purge(name)) {
    if (is_not_found(err))
      deleted_key_not_found(c, name);
    else
      store_error(c, err, name);
    return;
  }
  c.res.status = 204;
}

} // namespace

void register_deleted_routes(httplib::Server& server, keyvault_context& ctx) {
  route(server, ctx, verb::del, "/keys/([^/]+)/?", delete_key);
  route(server, ctx, verb::get, "/deletedkeys/?", list_deleted);
  route(server, ctx, verb::get, "/deletedkeys/([^/]+)/?", get_deleted);
  route(server, ctx, verb::post, "/deletedkeys/([^/]+)/recover", recover);
  route(server, ctx, verb::del, "/deletedkeys/([^/]+)/?", purge);
}

} // namespace bulkd::emulator::keyvault::rest
