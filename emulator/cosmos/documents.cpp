#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/cosmos/rid.hpp"
#include "emulator/cosmos/document_feeds.hpp"
#include "emulator/cosmos/document_keys.hpp"
#include "emulator/cosmos/error_response.hpp"
#include "emulator/cosmos/handlers.hpp"
#include "emulator/cosmos/json_text.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace bulkd::emulator::cosmos {

namespace {

namespace proto = bulkd::cosmos;

constexpr size_t max_document_bytes = 2u << 20;

struct routing {
  proto::partition_key key;
  std::string pk; // header form, the store's key
  std::string epk;
  std::string range_id;
};

// The definition of the container, parsed per request (cheap next to the SQL).
caf::expected<proto::partition_key_definition> definition_of(const container_record& coll) {
  auto json = nlohmann::json::parse(coll.partition_key, nullptr, false);
  return proto::parse_partition_key_definition(json);
}

void session_headers(request_context& ctx, const std::string& range_id, int64_t lsn) {
  put_header(ctx.res, "x-ms-session-token", range_id + ":-1#" + std::to_string(lsn));
  put_header(ctx.res, "lsn", std::to_string(lsn));
  put_header(ctx.res, "x-ms-global-committed-lsn", std::to_string(lsn));
}

// Fills `out` from the key; false after writing the error answer.
bool route_key(request_context& ctx, const container_record& coll,
               const proto::partition_key_definition& def, proto::partition_key key, routing& out) {
  if (key.size() != def.paths.size()) {
    write_error(ctx.res, 400,
                "Partition key provided either doesn't correspond to definition in the "
                "collection or doesn't match partition key field values specified in the "
                "document: the container has " +
                    std::to_string(def.paths.size()) + " partition key path(s), the key has " +
                    std::to_string(key.size()) + " value(s)");
    return false;
  }
  auto epk = proto::effective_partition_key(key, def);
  if (!epk) {
    write_error(ctx.res, 400, proto::error_message(epk.error()));
    return false;
  }
  for (const auto& r : coll.ranges) {
    if (proto::epk_range{r.min, r.max}.contains(*epk)) {
      out.range_id = r.id;
      break;
    }
  }
  if (out.range_id.empty()) {
    write_error(ctx.res, 500, "No partition key range holds the effective partition key " + *epk);
    return false;
  }
  out.pk = proto::to_header(key);
  out.key = std::move(key);
  out.epk = std::move(*epk);
  return true;
}

// The key from the x-ms-documentdb-partitionkey header; nullopt when absent. False on a bad one.
bool header_key(request_context& ctx, std::optional<proto::partition_key>& out) {
  auto text = ctx.req.get_header_value("x-ms-documentdb-partitionkey");
  if (text.empty())
    return true;
  auto key = proto::parse_partition_key_header(text);
  if (!key) {
    write_error(ctx.res, 400,
                "The partition key header x-ms-documentdb-partitionkey is invalid: " +
                    proto::error_message(key.error()));
    return false;
  }
  out = std::move(*key);
  return true;
}

void answer_write(request_context& ctx, const container_record& coll, const write_outcome& out,
                  size_t bytes) {
  session_headers(ctx, out.doc.range_id.empty() ? "0" : out.doc.range_id, out.range_lsn);
  switch (out.status) {
  case 404:
    return write_error(ctx.res, 404, "Entity with the specified id does not exist in the system.");
  case 409:
    return write_error(ctx.res, 409, "Entity with the specified id already exists in the system.");
  case 412:
    return write_error(ctx.res, 412,
                       "Operation cannot be performed because one of the specified "
                       "precondition is not met (If-Match).");
  default:
    break;
  }
  set_charge(ctx.res, write_charge(bytes));
  if (out.status == 204) {
    ctx.res.status = 204;
    return;
  }
  put_header(ctx.res, "etag", out.doc.etag);
  if (ctx.req.get_header_value("Prefer") == "return=minimal") {
    ctx.res.status = out.status;
    return;
  }
  write_json(ctx.res, out.status, document_text(coll, out.doc));
}

void write_document(request_context& ctx, const container_record& coll, write_mode mode,
                    const std::string* url_id) {
  if (ctx.req.body.size() > max_document_bytes)
    return write_error(ctx.res, 413,
                       "Request size is too large: a document may have at most "
                       "2 MB (2097152 bytes), this one has " +
                           std::to_string(ctx.req.body.size()));
  auto def = definition_of(coll);
  if (!def)
    return write_error(ctx.res, 500, proto::error_message(def.error()));
  document_source body;
  if (auto message = read_document_source(ctx.req.body, *def, body); !message.empty()) {
    if (json_check(ctx.req.body).empty())
      return write_error(ctx.res, 400, "The request payload must be a JSON object");
    return write_error(ctx.res, 400, "The request payload is invalid JSON: " + message);
  }
  if (!body.id)
    return write_error(ctx.res, 400,
                       "The input content is invalid because the required property 'id' is "
                       "missing or not a string");
  auto doc_id = std::move(*body.id);
  if (auto message = check_resource_id(doc_id); !message.empty())
    return write_error(ctx.res, 400, message);
  if (url_id != nullptr && *url_id != doc_id)
    return write_error(ctx.res, 400,
                       "The id in the body ('" + doc_id + "') does not match the id in the URL ('" +
                           *url_id + "')");
  std::optional<proto::partition_key> from_header;
  if (!header_key(ctx, from_header))
    return;
  auto from_body = proto::extract_partition_key(body.key_fields, *def);
  if (!from_body)
    return write_error(ctx.res, 400, proto::error_message(from_body.error()));
  if (from_header && *from_header != *from_body)
    return write_error(ctx.res, 400,
                       "PartitionKey extracted from document doesn't match the one specified in "
                       "the header: header " +
                           proto::to_header(*from_header) + ", document " +
                           proto::to_header(*from_body),
                       1001);
  routing where;
  if (!route_key(ctx, coll, *def, std::move(*from_body), where))
    return;
  document_write w;
  w.container = coll.key;
  w.mode = mode;
  w.id = doc_id;
  w.pk = where.pk;
  w.range_id = where.range_id;
  w.epk = where.epk;
  w.body = std::move(body.body);
  if (ctx.req.has_header("If-Match"))
    w.if_match = ctx.req.get_header_value("If-Match");
  auto out = ctx.service.data().write_document(w);
  if (!out)
    return write_store_error(ctx.res, out.error());
  if (out->doc.range_id.empty())
    out->doc.range_id = where.range_id;
  answer_write(ctx, coll, *out, w.body.size());
}

// Read and delete address a document by id and the key in the header.
bool point_key(request_context& ctx, const container_record& coll, routing& where) {
  auto def = definition_of(coll);
  if (!def) {
    write_error(ctx.res, 500, proto::error_message(def.error()));
    return false;
  }
  std::optional<proto::partition_key> key;
  if (!header_key(ctx, key))
    return false;
  if (!key) {
    write_error(ctx.res, 400,
                "PartitionKey value must be supplied for this operation "
                "(header x-ms-documentdb-partitionkey).");
    return false;
  }
  return route_key(ctx, coll, *def, std::move(*key), where);
}

// The LSN a session token ("0:-1#12,1:-1#7#1=7") asks for in `range_id`; 0 when none.
int64_t session_lsn(std::string_view token, std::string_view range_id) {
  while (!token.empty()) {
    auto comma = token.find(',');
    auto part = token.substr(0, comma);
    auto colon = part.find(':');
    auto hash = part.find('#');
    if (colon != std::string_view::npos && hash != std::string_view::npos && hash > colon &&
        part.substr(0, colon) == range_id) {
      auto digits = part.substr(hash + 1);
      digits = digits.substr(0, digits.find('#'));
      int64_t lsn = 0;
      for (char c : digits) {
        if (c < '0' || c > '9')
          return 0;
        lsn = lsn * 10 + (c - '0');
      }
      return lsn;
    }
    if (comma == std::string_view::npos)
      break;
    token.remove_prefix(comma + 1);
  }
  return 0;
}

void read_document(request_context& ctx, const container_record& coll, const std::string& id) {
  routing where;
  if (!point_key(ctx, coll, where))
    return;
  auto found = ctx.service.data().read_document(coll.key, where.range_id, where.pk, id);
  if (!found)
    return write_store_error(ctx.res, found.error());
  session_headers(ctx, where.range_id, found->range_lsn);
  // A session this range has not reached yet (a token from another emulator instance, or one
  // whose data was lost): what the service answers when a replica lags behind the session.
  auto wanted = session_lsn(ctx.req.get_header_value("x-ms-session-token"), where.range_id);
  if (wanted > found->range_lsn)
    return write_error(ctx.res, 404,
                       "The read session is not available for the input session token: range " +
                           where.range_id + " is at LSN " + std::to_string(found->range_lsn) +
                           ", the token asks for " + std::to_string(wanted),
                       1002);
  if (!found->doc) {
    set_charge(ctx.res, 1);
    return write_error(ctx.res, 404, "Entity with the specified id does not exist in the system.");
  }
  const auto& doc = *found->doc;
  put_header(ctx.res, "etag", doc.etag);
  put_header(ctx.res, "x-ms-item-lsn", std::to_string(doc.lsn));
  auto text = document_text(coll, doc);
  set_charge(ctx.res, read_charge(text.size()));
  if (ctx.req.get_header_value("If-None-Match") == doc.etag) {
    ctx.res.status = 304;
    return;
  }
  write_json(ctx.res, 200, std::move(text));
}

void delete_document(request_context& ctx, const container_record& coll, const std::string& id) {
  routing where;
  if (!point_key(ctx, coll, where))
    return;
  document_write w;
  w.container = coll.key;
  w.mode = write_mode::remove;
  w.id = id;
  w.pk = where.pk;
  w.range_id = where.range_id;
  w.epk = where.epk;
  if (ctx.req.has_header("If-Match"))
    w.if_match = ctx.req.get_header_value("If-Match");
  auto out = ctx.service.data().write_document(w);
  if (!out)
    return write_store_error(ctx.res, out.error());
  out->doc.range_id = where.range_id;
  answer_write(ctx, coll, *out, out->doc.body.size());
}

} // namespace

std::string document_text(const container_record& coll, const document_record& doc) {
  auto coll_number = collection_number(coll.key);
  auto rid = proto::to_string(
      proto::child_rid(coll.db_number, coll_number, proto::rid_child_type::document, doc.number));
  auto self = "dbs/" + proto::to_string(proto::database_rid(coll.db_number)) + "/colls/" +
              proto::to_string(proto::collection_rid(coll.db_number, coll_number)) + "/docs/" +
              rid + "/";
  // RIDs are base64 with '-', etags are hex and quotes: only the quotes need escaping.
  std::string etag;
  for (char c : doc.etag) {
    if (c == '"' || c == '\\')
      etag += '\\';
    etag += c;
  }
  std::string system = "\"_rid\":\"" + rid + "\",\"_self\":\"" + self + "\",\"_etag\":\"" + etag +
                       "\",\"_attachments\":\"attachments/\",\"_ts\":" + std::to_string(doc.ts);
  const auto& body = doc.body;
  if (body.size() < 2 || body.back() != '}')
    return "{" + system + "}";
  auto inner = std::string_view{body}.substr(1, body.size() - 2);
  bool empty = inner.find_first_not_of(" \t\r\n") == std::string_view::npos;
  return "{" + std::string{inner} + (empty ? "" : ",") + system + "}";
}

void handle_documents(request_context& ctx, const container_record& coll) {
  const auto& method = ctx.req.method;
  const auto& segs = ctx.addr.segments;
  if (segs.size() == 5) {
    if (method == "POST") {
      if (header_is_true(ctx.req, "x-ms-documentdb-isquery") ||
          header_is_true(ctx.req, "x-ms-cosmos-is-query-plan-request"))
        return handle_query(ctx, coll);
      if (header_is_true(ctx.req, "x-ms-cosmos-is-batch-request"))
        return handle_batch(ctx, coll);
      auto mode = header_is_true(ctx.req, "x-ms-documentdb-is-upsert") ? write_mode::upsert
                                                                       : write_mode::create;
      return write_document(ctx, coll, mode, nullptr);
    }
    if (method == "GET") {
      if (ctx.req.has_header("A-IM"))
        return handle_change_feed(ctx, coll);
      return handle_read_feed(ctx, coll);
    }
    return write_error(ctx.res, 405, "Only GET and POST are allowed on a document feed");
  }
  if (!ctx.addr.name_based)
    return write_error(ctx.res, 501, "Documents addressed by RID are not implemented");
  const auto& id = segs[5];
  if (method == "GET")
    return read_document(ctx, coll, id);
  if (method == "PUT")
    return write_document(ctx, coll, write_mode::replace, &id);
  if (method == "DELETE")
    return delete_document(ctx, coll, id);
  if (method == "PATCH")
    return handle_patch(ctx, coll, id);
  write_error(ctx.res, 405, "Method " + method + " is not allowed on a document");
}

} // namespace bulkd::emulator::cosmos
