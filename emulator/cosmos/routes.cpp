#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/rid.hpp"
#include "clients/error.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "emulator/cosmos/error_response.hpp"
#include "emulator/cosmos/handlers.hpp"
#include "emulator/cosmos/range_split.hpp"

#include <httplib.h>

#include <cmath>
#include <cstdio>

namespace bulkd::emulator::cosmos {

namespace {

std::string lower(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The database of /dbs/{db}/...: by name or, on RID-based paths, by its RID.
caf::expected<std::optional<database_record>> find_database(request_context& ctx) {
  const auto& name = ctx.addr.segments[1];
  if (ctx.addr.name_based)
    return ctx.service.data().database(name);
  auto rid = bulkd::cosmos::parse_rid(name);
  if (!rid)
    return std::optional<database_record>{};
  return ctx.service.data().database_by_number(rid->database);
}

void dispatch(request_context& ctx) {
  const auto& segs = ctx.addr.segments;
  if (segs.empty()) {
    if (ctx.req.method != "GET")
      return write_error(ctx.res, 405, "Only GET is allowed on the database account");
    return handle_account(ctx);
  }
  if (segs.size() <= 2)
    return handle_databases(ctx);
  auto db = find_database(ctx);
  if (!db)
    return write_store_error(ctx.res, db.error());
  if (!*db)
    return write_error(ctx.res, 404,
                       "Owner resource does not exist: database '" + segs[1] + "' not found", 1003);
  if (segs[2] != "colls")
    return write_error(ctx.res, 501,
                       "'" + segs[2] + "' resources are not implemented by this emulator");
  if (segs.size() <= 4)
    return handle_containers(ctx, **db);
  auto coll = find_container(ctx, **db);
  if (!coll)
    return write_store_error(ctx.res, coll.error());
  if (!*coll)
    return write_error(ctx.res, 404,
                       "Owner resource does not exist: container '" + segs[3] +
                           "' not found in database '" + (*db)->id + "'",
                       1003);
  auto res_link = "dbs/" + (*coll)->db_id + "/colls/" + (*coll)->id;
  put_header(ctx.res, "x-ms-alt-content-path", res_link);
  put_header(ctx.res, "x-ms-content-path",
             bulkd::cosmos::to_string(bulkd::cosmos::collection_rid(
                 (*coll)->db_number, collection_number((*coll)->key))));
  if (segs[4] == "pkranges") {
    if (segs.size() != 5 || ctx.req.method != "GET")
      return write_error(ctx.res, 405, "Partition key ranges can only be read as a feed (GET)");
    return handle_pkranges(ctx, **coll);
  }
  if (segs[4] == "docs")
    return handle_documents(ctx, **coll);
  return write_error(ctx.res, 501,
                     "'" + segs[4] + "' resources are not implemented by this emulator");
}

void serve(cosmos_service& service, const httplib::Request& req, httplib::Response& res) {
  put_header(res, "x-ms-version",
             req.has_header("x-ms-version") ? req.get_header_value("x-ms-version") : "2020-07-15");
  set_charge(res, 0);
  // req.path is already URL-decoded by httplib; the resource parser wants the raw target.
  auto addr = bulkd::cosmos::parse_resource_path(req.target);
  if (!addr)
    return write_error(res, 404, bulkd::cosmos::error_message(addr.error()));
  request_context ctx{req, res, *addr, service};
  if (auto message = check_authorization(ctx); !message.empty())
    return write_error(res, 401, message);
  dispatch(ctx);
}

} // namespace

caf::expected<std::optional<container_record>> find_container(request_context& ctx,
                                                              const database_record& db) {
  const auto& name = ctx.addr.segments[3];
  if (ctx.addr.name_based)
    return ctx.service.data().container(db.number, name);
  auto rid = bulkd::cosmos::parse_rid(name);
  if (!rid || rid->kind != bulkd::cosmos::rid_kind::collection || rid->database != db.number)
    return std::optional<container_record>{};
  auto found = ctx.service.data().container_by_key(container_key(rid->collection));
  if (found && *found && (*found)->db_number != db.number)
    return std::optional<container_record>{};
  return found;
}

void put_header(httplib::Response& res, const std::string& name, const std::string& value) {
  res.headers.erase(name);
  res.set_header(name, value);
}

void write_json(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), "application/json");
}

void set_charge(httplib::Response& res, double charge) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", charge);
  put_header(res, "x-ms-request-charge", buf);
}

void write_store_error(httplib::Response& res, const caf::error& err) {
  write_error(res, 500, "The emulator's store failed: " + bulkd::cosmos::error_message(err));
}

double read_charge(size_t bytes) {
  return static_cast<double>(std::max<size_t>(1, (bytes + 1023) / 1024));
}

double write_charge(size_t bytes) {
  return 5.0 * static_cast<double>(std::max<size_t>(1, (bytes + 1023) / 1024));
}

bool header_is_true(const httplib::Request& req, const char* name) {
  return lower(req.get_header_value(name)) == "true";
}

std::string check_resource_id(std::string_view id) {
  if (id.empty())
    return "The id must not be empty";
  if (id.size() > 255)
    return "The id is longer than 255 characters";
  for (char c : id)
    if (c == '/' || c == '\\' || c == '?' || c == '#')
      return "The id '" + std::string{id} +
             "' contains an invalid character ('/', '\\', '?' or '#')";
  return {};
}

uint32_t collection_number(int64_t key) {
  return static_cast<uint32_t>(key);
}

int64_t container_key(uint32_t word) {
  return static_cast<int64_t>(bulkd::cosmos::collection_number_of(word));
}

bool is_cosmos_path(std::string_view path) {
  return path == "/" || path == "/dbs" || path.starts_with("/dbs/");
}

bool is_bulk_batch(const httplib::Request& req) {
  return header_is_true(req, "x-ms-cosmos-is-batch-request") &&
         req.has_header("x-ms-cosmos-batch-atomic") &&
         !header_is_true(req, "x-ms-cosmos-batch-atomic");
}

caf::expected<std::unique_ptr<cosmos_service>> cosmos_service::make(cosmos_config config,
                                                                    std::unique_ptr<store> data) {
  if (config.key.empty())
    config.key = std::string{well_known_key};
  auto key = bulkd::cosmos::parse_master_key(config.key);
  if (!key)
    return make_error(ec::invalid_argument,
                      "invalid Cosmos key: " + bulkd::cosmos::error_message(key.error()));
  if (config.ranges < 1 || config.ranges > 1024)
    return make_error(ec::invalid_argument,
                      "the number of ranges must be between 1 and 1024, not " +
                          std::to_string(config.ranges));
  if (!data)
    return make_error(ec::invalid_argument, "the Cosmos service needs a store");
  return std::unique_ptr<cosmos_service>{
      new cosmos_service(std::move(config), std::move(*key), std::move(data))};
}

cosmos_service::cosmos_service(cosmos_config config, bulkd::cosmos::master_key key,
                               std::unique_ptr<store> data)
    : config_(std::move(config)), key_(std::move(key)), data_(std::move(data)) {}

void cosmos_service::register_routes(httplib::Server& http) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    serve(*this, req, res);
  };
  // Everything Cosmos lives at / and under /dbs; Key Vault and identity paths do not overlap.
  const std::string pattern = "/|/dbs(/.*)?";
  http.Get(pattern, handler);
  http.Post(pattern, handler);
  http.Put(pattern, handler);
  http.Patch(pattern, handler);
  http.Delete(pattern, handler);
  // A test operation, unsigned like the rest of /_emulator (the emulator listens on loopback).
  http.Post("/_emulator/split", [this](const httplib::Request& req, httplib::Response& res) {
    handle_split(*this, req, res);
  });
}

} // namespace bulkd::emulator::cosmos
