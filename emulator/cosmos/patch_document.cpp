#include "clients/cosmos/error_message.hpp"
#include "emulator/cosmos/document_keys.hpp"
#include "emulator/cosmos/error_response.hpp"
#include "emulator/cosmos/sql/compiled_query.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <httplib.h>

namespace bulkd::emulator::cosmos {

namespace proto = bulkd::cosmos;

namespace {

constexpr size_t max_document_bytes = 2u << 20;

patch_result failed(int status, std::string message) {
  patch_result out;
  out.status = status;
  out.message = std::move(message);
  return out;
}

} // namespace

caf::expected<patch_result> run_patch(document_transaction& tx, const container_record& coll,
                                      const key_route& where, const std::string& id,
                                      const patch_request& req,
                                      const std::optional<std::string>& if_match) {
  auto existing = tx.read(coll.key, where.pk, id);
  if (!existing)
    return existing.error();
  if (!*existing)
    return failed(404, "Entity with the specified id does not exist in the system.");
  const auto& doc = **existing;
  if (if_match && *if_match != "*" && *if_match != doc.etag)
    return failed(412, "Operation cannot be performed because one of the specified precondition "
                       "is not met (If-Match).");
  if (!req.condition.empty()) {
    auto query = sql::compile("SELECT * " + req.condition);
    if (!query)
      return failed(400, "The patch condition '" + req.condition +
                             "' is invalid: " + sql::error_message(query.error()));
    if (!query->matches(document_json(coll, doc)))
      return failed(412, "Precondition failed: the patch condition '" + req.condition +
                             "' is false for the document");
  }
  auto body = nlohmann::json::parse(doc.body, nullptr, false);
  auto patched = apply_patch(std::move(body), req.operations);
  if (!patched)
    return failed(400, proto::error_message(patched.error()));
  strip_system_properties(*patched);
  auto new_id = patched->find("id");
  if (new_id == patched->end() || !new_id->is_string() || new_id->get<std::string>() != id)
    return failed(400, "A patch cannot change or remove the document's id");
  auto def = key_definition(coll);
  if (!def)
    return def.error();
  auto key = proto::extract_partition_key(*patched, *def);
  if (!key || *key != where.key)
    return failed(400, "A patch cannot change or remove the document's partition key");
  document_write w;
  w.container = coll.key;
  w.mode = write_mode::replace;
  w.id = id;
  w.pk = where.pk;
  w.range_id = where.range_id;
  w.epk = where.epk;
  w.body = patched->dump();
  if (w.body.size() > max_document_bytes)
    return failed(413, "Request size is too large: the patched document has " +
                           std::to_string(w.body.size()) + " bytes, at most 2097152 are allowed");
  w.if_match = doc.etag;
  auto written = tx.write(w);
  if (!written)
    return written.error();
  patch_result out;
  out.status = written->status;
  out.write = std::move(*written);
  return out;
}

void handle_patch(request_context& ctx, const container_record& coll, const std::string& id) {
  auto body = nlohmann::json::parse(ctx.req.body, nullptr, false);
  if (body.is_discarded())
    return write_error(ctx.res, 400, "The patch body is not valid JSON");
  auto req = parse_patch_request(body);
  if (!req)
    return write_error(ctx.res, 400, proto::error_message(req.error()));
  auto header = ctx.req.get_header_value("x-ms-documentdb-partitionkey");
  if (header.empty())
    return write_error(ctx.res, 400,
                       "PartitionKey value must be supplied for this operation "
                       "(header x-ms-documentdb-partitionkey).");
  auto key = proto::parse_partition_key_header(header);
  if (!key)
    return write_error(ctx.res, 400,
                       "The partition key header x-ms-documentdb-partitionkey is invalid: " +
                           proto::error_message(key.error()));
  auto def = key_definition(coll);
  if (!def)
    return write_store_error(ctx.res, def.error());
  std::string message;
  auto where = resolve_key(coll, *def, std::move(*key), message);
  if (!where)
    return write_error(ctx.res, 400, message);
  std::optional<std::string> if_match;
  if (ctx.req.has_header("If-Match"))
    if_match = ctx.req.get_header_value("If-Match");
  patch_result result;
  auto done = ctx.service.data().transact([&](document_transaction& tx) -> caf::expected<bool> {
    auto r = run_patch(tx, coll, *where, id, *req, if_match);
    if (!r)
      return r.error();
    result = std::move(*r);
    return result.status < 400;
  });
  if (!done)
    return write_store_error(ctx.res, done.error());
  if (result.status >= 400)
    return write_error(ctx.res, result.status, result.message);
  const auto& doc = result.write.doc;
  put_header(ctx.res, "x-ms-session-token",
             where->range_id + ":-1#" + std::to_string(result.write.range_lsn));
  put_header(ctx.res, "lsn", std::to_string(result.write.range_lsn));
  put_header(ctx.res, "etag", doc.etag);
  set_charge(ctx.res, write_charge(doc.body.size()));
  if (ctx.req.get_header_value("Prefer") == "return=minimal") {
    ctx.res.status = 200;
    return;
  }
  write_json(ctx.res, 200, document_json(coll, doc).dump());
}

} // namespace bulkd::emulator::cosmos
