#include "emulator/cosmos/document_keys.hpp"

#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/rid.hpp"
#include "emulator/cosmos/json_text.hpp"

#include <iterator>

namespace bulkd::emulator::cosmos {

namespace proto = bulkd::cosmos;

caf::expected<proto::partition_key_definition> key_definition(const container_record& coll) {
  auto json = nlohmann::json::parse(coll.partition_key, nullptr, false);
  return proto::parse_partition_key_definition(json);
}

std::optional<key_route> resolve_key(const container_record& coll,
                                     const proto::partition_key_definition& def,
                                     proto::partition_key key, std::string& error) {
  if (key.size() != def.paths.size()) {
    error = "Partition key provided either doesn't correspond to definition in the collection or "
            "doesn't match partition key field values specified in the document: the container "
            "has " +
            std::to_string(def.paths.size()) + " partition key path(s), the key has " +
            std::to_string(key.size()) + " value(s)";
    return std::nullopt;
  }
  auto epk = proto::effective_partition_key(key, def);
  if (!epk) {
    error = proto::error_message(epk.error());
    return std::nullopt;
  }
  key_route out;
  for (const auto& r : coll.ranges)
    if (proto::epk_range{r.min, r.max}.contains(*epk)) {
      out.range_id = r.id;
      break;
    }
  if (out.range_id.empty()) {
    error = "No partition key range holds the effective partition key " + *epk;
    return std::nullopt;
  }
  out.pk = proto::to_header(key);
  out.key = std::move(key);
  out.epk = std::move(*epk);
  return out;
}

nlohmann::json document_json(const container_record& coll, const document_record& doc) {
  auto out = nlohmann::json::parse(doc.body, nullptr, false);
  if (!out.is_object())
    out = nlohmann::json::object();
  auto coll_number = collection_number(coll.key);
  auto rid = proto::to_string(
      proto::child_rid(coll.db_number, coll_number, proto::rid_child_type::document, doc.number));
  out["_rid"] = rid;
  out["_self"] = "dbs/" + proto::to_string(proto::database_rid(coll.db_number)) + "/colls/" +
                 proto::to_string(proto::collection_rid(coll.db_number, coll_number)) + "/docs/" +
                 rid + "/";
  out["_etag"] = doc.etag;
  out["_attachments"] = "attachments/";
  out["_ts"] = doc.ts;
  return out;
}

void strip_system_properties(nlohmann::json& body) {
  for (const char* name : {"_rid", "_self", "_etag", "_ts", "_attachments", "_lsn"})
    body.erase(name);
}

namespace {

bool is_system_property(std::string_view name) {
  return name == "_rid" || name == "_self" || name == "_etag" || name == "_ts" ||
         name == "_attachments" || name == "_lsn";
}

} // namespace

std::string read_document_source(std::string_view text, const proto::partition_key_definition& def,
                                 document_source& out, bool checked) {
  thread_local std::vector<json_member> members;
  if (auto message = json_object_members(text, members, checked); !message.empty())
    return message;
  // The first segment of every path: the only members key extraction looks at.
  std::vector<std::string> parsed;
  if (def.path_segments.empty())
    for (const auto& path : def.paths)
      if (auto segments = proto::parse_partition_key_path(path); segments && !segments->empty())
        parsed.push_back(segments->front());
  std::string_view firsts[8];
  size_t first_count = 0;
  if (def.path_segments.empty()) {
    for (const auto& p : parsed)
      if (first_count < std::size(firsts))
        firsts[first_count++] = p;
  } else {
    for (const auto& segments : def.path_segments)
      if (!segments.empty() && first_count < std::size(firsts))
        firsts[first_count++] = segments.front();
  }
  out.id.reset();
  out.has_id = false;
  out.key_fields = nlohmann::json::object();
  out.body.clear();
  out.body.reserve(text.size());
  out.body += '{';
  for (const auto& m : members) {
    // Keys are compared decoded; the stored text keeps them as written.
    bool plain = m.key.find('\\') == std::string_view::npos;
    std::string decoded;
    std::string_view name = m.key;
    if (!plain) {
      decoded = json_key(m.key);
      name = decoded;
    }
    if (!name.empty() && name.front() == '_' && is_system_property(name))
      continue;
    if (name == "id") { // a later duplicate wins, as in JSON.parse and nlohmann
      out.has_id = true;
      out.id = json_string(m.value);
    }
    for (size_t i = 0; i < first_count; ++i) {
      if (name != firsts[i])
        continue;
      auto value = nlohmann::json::parse(m.value, nullptr, false);
      if (value.is_discarded()) // not expected: json_text checks what nlohmann checks
        return "the member '" + std::string{name} + "' is not valid JSON";
      out.key_fields[std::string{name}] = std::move(value);
      break;
    }
    if (out.body.size() > 1)
      out.body += ',';
    out.body += '"';
    out.body += m.key;
    out.body += "\":";
    json_append_compact(out.body, m.value);
  }
  out.body += '}';
  return {};
}

} // namespace bulkd::emulator::cosmos
