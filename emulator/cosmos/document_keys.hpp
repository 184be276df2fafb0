#pragma once

// Internal to the document routes of patch, query and batch: a key's routing, a stored document
// as JSON with its system properties, and the operations' entry points.

#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "emulator/cosmos/handlers.hpp"
#include "emulator/cosmos/patch.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace bulkd::emulator::cosmos {

struct key_route {
  bulkd::cosmos::partition_key key;
  std::string pk; // header form, the store's key
  std::string epk;
  std::string range_id;
};

/// The container's partition key definition; errors are the store's (500).
caf::expected<bulkd::cosmos::partition_key_definition> key_definition(const container_record& coll);

/// Routes a key to its range. nullopt with `error` set (a 400 message) when it does not fit.
std::optional<key_route> resolve_key(const container_record& coll,
                                     const bulkd::cosmos::partition_key_definition& def,
                                     bulkd::cosmos::partition_key key, std::string& error);

/// The document with its system properties (_rid, _self, _etag, _attachments, _ts).
nlohmann::json document_json(const container_record& coll, const document_record& doc);

/// Removes the system properties a client may send back in a body.
void strip_system_properties(nlohmann::json& body);

/// A document as the client sent it, read as text (json_text.hpp) instead of parsed and dumped.
struct document_source {
  std::optional<std::string> id; // the "id" member when it is a string
  bool has_id = false;           // an "id" member of any type
  nlohmann::json key_fields;     // object: the members the partition key paths start at
  std::string body; // the object without whitespace between tokens and without system properties
};

/// Reads a document's text (a JSON object). Empty on success, else the message: why the text is
/// not JSON, or that it is not an object. `checked`: as for json_object_members.
std::string read_document_source(std::string_view text,
                                 const bulkd::cosmos::partition_key_definition& def,
                                 document_source& out, bool checked = false);

struct patch_result {
  int status = 0;      // 200, or 400/404/412 with `message`
  std::string message; // for failures
  write_outcome write; // for 200
};

/// Patches document `id` under `where` inside a store transaction. `if_match`: the request's
/// If-Match (412 when it differs). The condition failing is a 412 as well.
caf::expected<patch_result> run_patch(document_transaction& tx, const container_record& coll,
                                      const key_route& where, const std::string& id,
                                      const patch_request& req,
                                      const std::optional<std::string>& if_match);

void handle_patch(request_context& ctx, const container_record& coll, const std::string& id);
/// POST .../docs with x-ms-documentdb-isquery (or the query-plan header, which is declined).
void handle_query(request_context& ctx, const container_record& coll);
/// POST .../docs with x-ms-cosmos-is-batch-request: transactional batch or bulk.
void handle_batch(request_context& ctx, const container_record& coll);

} // namespace bulkd::emulator::cosmos
