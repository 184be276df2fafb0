#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/rid.hpp"
#include "emulator/cosmos/error_response.hpp"
#include "emulator/cosmos/handlers.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace bulkd::emulator::cosmos {

namespace {

namespace proto = bulkd::cosmos;

const char* system_properties[] = {"_rid",    "_self",     "_etag", "_ts",       "_docs",
                                   "_sprocs", "_triggers", "_udfs", "_conflicts"};

std::string coll_rid(const container_record& c) {
  return proto::to_string(proto::collection_rid(c.db_number, collection_number(c.key)));
}

nlohmann::json container_json(const container_record& c) {
  auto body = nlohmann::json::parse(c.body, nullptr, false);
  if (!body.is_object())
    body = nlohmann::json::object({{"id", c.id}});
  auto rid = coll_rid(c);
  auto db_rid = proto::to_string(proto::database_rid(c.db_number));
  body["_rid"] = rid;
  body["_self"] = "dbs/" + db_rid + "/colls/" + rid + "/";
  body["_etag"] = c.etag;
  body["_ts"] = c.ts;
  body["_docs"] = "docs/";
  body["_sprocs"] = "sprocs/";
  body["_triggers"] = "triggers/";
  body["_udfs"] = "udfs/";
  body["_conflicts"] = "conflicts/";
  return body;
}

void create_container(request_context& ctx, const database_record& db) {
  if (header_is_true(ctx.req, "x-ms-documentdb-isquery"))
    return write_error(ctx.res, 501,
                       "Queries over containers are not implemented by this emulator");
  auto body = nlohmann::json::parse(ctx.req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return write_error(ctx.res, 400,
                       "The request body must be a JSON object like "
                       "{\"id\":\"c1\",\"partitionKey\":{\"paths\":[\"/pk\"]}}");
  auto id = body.find("id");
  if (id == body.end() || !id->is_string())
    return write_error(ctx.res, 400,
                       "The input content is invalid because the required property 'id' is "
                       "missing or not a string");
  auto name = id->get<std::string>();
  if (auto message = check_resource_id(name); !message.empty())
    return write_error(ctx.res, 400, message);
  auto pk = body.find("partitionKey");
  if (pk == body.end() || !pk->is_object())
    return write_error(ctx.res, 400,
                       "The container needs a partition key definition: \"partitionKey\":"
                       "{\"paths\":[\"/pk\"],\"kind\":\"Hash\",\"version\":2}");
  auto definition = proto::parse_partition_key_definition(*pk);
  if (!definition)
    return write_error(ctx.res, 400,
                       "The partition key definition is invalid: " +
                           proto::error_message(definition.error()));
  // Echo the definition with an explicit kind and version (1 when the client sent none), so that
  // every client hashes with the version the emulator routes by.
  (*pk)["kind"] = definition->kind == proto::partition_kind::multi_hash ? "MultiHash" : "Hash";
  (*pk)["version"] = definition->version;
  for (const char* name : system_properties)
    body.erase(name);
  if (!body.contains("indexingPolicy"))
    body["indexingPolicy"] = {{"indexingMode", "consistent"},
                              {"automatic", true},
                              {"includedPaths", {{{"path", "/*"}}}},
                              {"excludedPaths", {{{"path", "/\"_etag\"/?"}}}}};
  if (!body.contains("conflictResolutionPolicy"))
    body["conflictResolutionPolicy"] = {{"mode", "LastWriterWins"},
                                        {"conflictResolutionPath", "/_ts"},
                                        {"conflictResolutionProcedure", ""}};
  auto split = proto::split_epk_space(ctx.service.config().ranges, definition->version);
  if (!split)
    return write_error(ctx.res, 500, proto::error_message(split.error()));
  std::vector<std::pair<std::string, std::string>> ranges;
  for (auto& r : *split)
    ranges.emplace_back(std::move(r.min), std::move(r.max));
  // x-ms-offer-throughput and x-ms-cosmos-offer-autopilot-settings are accepted and ignored.
  auto created =
      ctx.service.data().create_container(db.number, name, body.dump(), pk->dump(), ranges);
  if (!created)
    return write_store_error(ctx.res, created.error());
  if (!*created)
    return write_error(ctx.res, 409,
                       "Resource with specified id, name, or unique index already exists: "
                       "container '" +
                           name + "' in database '" + db.id + "'");
  set_charge(ctx.res, 1);
  put_header(ctx.res, "etag", (*created)->etag);
  put_header(ctx.res, "x-ms-content-path", coll_rid(**created));
  put_header(ctx.res, "x-ms-alt-content-path", "dbs/" + db.id + "/colls/" + name);
  write_json(ctx.res, 201, container_json(**created).dump());
}

void list_containers(request_context& ctx, const database_record& db) {
  auto all = ctx.service.data().containers(db.number);
  if (!all)
    return write_store_error(ctx.res, all.error());
  auto items = nlohmann::json::array();
  for (const auto& c : *all)
    items.push_back(container_json(c));
  nlohmann::json body{{"_rid", proto::to_string(proto::database_rid(db.number))},
                      {"DocumentCollections", items},
                      {"_count", all->size()}};
  set_charge(ctx.res, 1);
  put_header(ctx.res, "x-ms-item-count", std::to_string(all->size()));
  write_json(ctx.res, 200, body.dump());
}

} // namespace

void handle_containers(request_context& ctx, const database_record& db) {
  const auto& method = ctx.req.method;
  if (ctx.addr.segments.size() == 3) {
    if (method == "POST")
      return create_container(ctx, db);
    if (method == "GET")
      return list_containers(ctx, db);
    return write_error(ctx.res, 405, "Only GET and POST are allowed on a container feed");
  }
  const auto& name = ctx.addr.segments[3];
  if (method == "GET") {
    auto found = find_container(ctx, db);
    if (!found)
      return write_store_error(ctx.res, found.error());
    if (!*found)
      return write_error(ctx.res, 404,
                         "Resource Not Found: container '" + name +
                             "' does not exist in "
                             "database '" +
                             db.id + "'");
    set_charge(ctx.res, 1);
    put_header(ctx.res, "etag", (*found)->etag);
    put_header(ctx.res, "x-ms-content-path", coll_rid(**found));
    put_header(ctx.res, "x-ms-alt-content-path", "dbs/" + db.id + "/colls/" + (*found)->id);
    return write_json(ctx.res, 200, container_json(**found).dump());
  }
  if (method == "DELETE") {
    if (!ctx.addr.name_based)
      return write_error(ctx.res, 501, "Deleting a container by RID is not implemented");
    auto deleted = ctx.service.data().delete_container(db.number, name);
    if (!deleted)
      return write_store_error(ctx.res, deleted.error());
    if (!*deleted)
      return write_error(ctx.res, 404,
                         "Resource Not Found: container '" + name +
                             "' does not exist in "
                             "database '" +
                             db.id + "'");
    set_charge(ctx.res, 1);
    ctx.res.status = 204;
    return;
  }
  if (method == "PUT")
    return write_error(ctx.res, 501, "Replacing a container is not implemented by this emulator");
  write_error(ctx.res, 405, "Only GET and DELETE are allowed on a container");
}

void handle_pkranges(request_context& ctx, const container_record& coll) {
  // The version of the set of ranges; the A-IM form of the feed (.NET, Java, Rust) loops until it
  // gets 304 for the version it holds.
  auto version = std::to_string(coll.topology);
  auto unquote = [](std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
      s = s.substr(1, s.size() - 2);
    return s;
  };
  put_header(ctx.res, "etag", "\"" + version + "\"");
  set_charge(ctx.res, 1);
  auto if_none_match = ctx.req.get_header_value("If-None-Match");
  if (!ctx.req.get_header_value("A-IM").empty() && !if_none_match.empty() &&
      (if_none_match == "*" || unquote(if_none_match) == version)) {
    ctx.res.status = 304;
    return;
  }
  auto rid = coll_rid(coll);
  auto db_rid = proto::to_string(proto::database_rid(coll.db_number));
  auto items = nlohmann::json::array();
  double fraction = coll.ranges.empty() ? 1.0 : 1.0 / static_cast<double>(coll.ranges.size());
  for (const auto& r : coll.ranges) {
    auto range_rid =
        proto::to_string(proto::child_rid(coll.db_number, collection_number(coll.key),
                                          proto::rid_child_type::partition_key_range, r.number));
    items.push_back({{"_rid", range_rid},
                     {"id", r.id},
                     {"_etag", r.etag},
                     {"minInclusive", r.min},
                     {"maxExclusive", r.max},
                     {"ridPrefix", r.number - 1},
                     {"_self", "dbs/" + db_rid + "/colls/" + rid + "/pkranges/" + range_rid + "/"},
                     {"throughputFraction", fraction},
                     {"status", "online"},
                     {"parents", r.parents},
                     {"_ts", r.ts},
                     {"_lsn", r.lsn}});
  }
  nlohmann::json body{{"_rid", rid}, {"PartitionKeyRanges", items}, {"_count", items.size()}};
  put_header(ctx.res, "x-ms-item-count", std::to_string(items.size()));
  write_json(ctx.res, 200, body.dump());
}

} // namespace bulkd::emulator::cosmos
