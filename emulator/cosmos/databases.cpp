#include "clients/cosmos/rid.hpp"
#include "emulator/cosmos/error_response.hpp"
#include "emulator/cosmos/handlers.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace bulkd::emulator::cosmos {

namespace {

nlohmann::json database_json(const database_record& db) {
  auto rid = bulkd::cosmos::to_string(bulkd::cosmos::database_rid(db.number));
  return {{"id", db.id},      {"_rid", rid},        {"_self", "dbs/" + rid + "/"},
          {"_etag", db.etag}, {"_colls", "colls/"}, {"_users", "users/"},
          {"_ts", db.ts}};
}

void create_database(request_context& ctx) {
  if (header_is_true(ctx.req, "x-ms-documentdb-isquery"))
    return write_error(ctx.res, 501, "Queries over databases are not implemented by this emulator");
  auto body = nlohmann::json::parse(ctx.req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return write_error(ctx.res, 400,
                       "The request body must be a JSON object like {\"id\":\"db1\"}");
  auto id = body.find("id");
  if (id == body.end() || !id->is_string())
    return write_error(ctx.res, 400,
                       "The input content is invalid because the required property 'id' is "
                       "missing or not a string");
  auto name = id->get<std::string>();
  if (auto message = check_resource_id(name); !message.empty())
    return write_error(ctx.res, 400, message);
  // x-ms-offer-throughput and x-ms-cosmos-offer-autopilot-settings are accepted and ignored.
  auto created = ctx.service.data().create_database(name);
  if (!created)
    return write_store_error(ctx.res, created.error());
  if (!*created)
    return write_error(ctx.res, 409,
                       "Resource with specified id, name, or unique index already exists: "
                       "database '" +
                           name + "'");
  set_charge(ctx.res, 1);
  put_header(ctx.res, "etag", (*created)->etag);
  write_json(ctx.res, 201, database_json(**created).dump());
}

void list_databases(request_context& ctx) {
  auto all = ctx.service.data().databases();
  if (!all)
    return write_store_error(ctx.res, all.error());
  auto items = nlohmann::json::array();
  for (const auto& db : *all)
    items.push_back(database_json(db));
  nlohmann::json body{{"_rid", ""}, {"Databases", items}, {"_count", all->size()}};
  set_charge(ctx.res, 1);
  put_header(ctx.res, "x-ms-item-count", std::to_string(all->size()));
  write_json(ctx.res, 200, body.dump());
}

} // namespace

void handle_databases(request_context& ctx) {
  const auto& method = ctx.req.method;
  if (ctx.addr.segments.size() == 1) {
    if (method == "POST")
      return create_database(ctx);
    if (method == "GET")
      return list_databases(ctx);
    return write_error(ctx.res, 405, "Only GET and POST are allowed on /dbs");
  }
  const auto& name = ctx.addr.segments[1];
  if (method == "GET") {
    auto found = ctx.addr.name_based ? ctx.service.data().database(name)
                                     : [&]() -> caf::expected<std::optional<database_record>> {
      auto rid = bulkd::cosmos::parse_rid(name);
      if (!rid)
        return std::optional<database_record>{};
      return ctx.service.data().database_by_number(rid->database);
    }();
    if (!found)
      return write_store_error(ctx.res, found.error());
    if (!*found)
      return write_error(ctx.res, 404,
                         "Resource Not Found: database '" + name + "' does not exist");
    set_charge(ctx.res, 1);
    put_header(ctx.res, "etag", (*found)->etag);
    return write_json(ctx.res, 200, database_json(**found).dump());
  }
  if (method == "DELETE") {
    if (!ctx.addr.name_based)
      return write_error(ctx.res, 501, "Deleting a database by RID is not implemented");
    auto deleted = ctx.service.data().delete_database(name);
    if (!deleted)
      return write_store_error(ctx.res, deleted.error());
    if (!*deleted)
      return write_error(ctx.res, 404,
                         "Resource Not Found: database '" + name + "' does not exist");
    set_charge(ctx.res, 1);
    ctx.res.status = 204;
    return;
  }
  write_error(ctx.res, 405, "Only GET and DELETE are allowed on a database");
}

} // namespace bulkd::emulator::cosmos
