#include "clients/cosmos/error_message.hpp"
#include "emulator/cosmos/document_feeds.hpp"
#include "emulator/cosmos/document_keys.hpp"
#include "emulator/cosmos/error_response.hpp"
#include "emulator/cosmos/json_text.hpp"
#include "emulator/faults.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

namespace bulkd::emulator::cosmos {

namespace proto = bulkd::cosmos;

namespace {

constexpr size_t max_batch_operations = 100;
constexpr size_t max_document_bytes = 2u << 20;

enum class op_kind { create, upsert, replace, remove, read, patch };

struct operation {
  op_kind kind = op_kind::create;
  int status = 0; // set when the operation failed before it ran (bulk only)
  int substatus = 0;
  int64_t retry_after_ms = 0; // with status 429
  std::string message;
  std::string id;
  key_route where;
  std::string body; // for create, upsert, replace
  std::optional<std::string> if_match;
  patch_request patch;
  bool minimal = false;
};

struct op_result {
  int status = 0;
  int substatus = 0;
  int64_t retry_after_ms = 0;
  double charge = 0;
  std::optional<document_record> doc;
  int64_t range_lsn = 0;
};

std::optional<op_kind> kind_of(std::string name) {
  for (auto& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "create")
    return op_kind::create;
  if (name == "upsert")
    return op_kind::upsert;
  if (name == "replace")
    return op_kind::replace;
  if (name == "delete")
    return op_kind::remove;
  if (name == "read")
    return op_kind::read;
  if (name == "patch")
    return op_kind::patch;
  return std::nullopt;
}

bool writes_body(op_kind k) {
  return k == op_kind::create || k == op_kind::upsert || k == op_kind::replace;
}

// The members of an operation the emulator reads (the last of duplicates, as JSON.parse does).
struct operation_fields {
  std::optional<std::string_view> type, id, partition_key, resource_body, if_match, minimal;
};

// Fills op from its JSON text (checked by json_array_elements); returns the 400 message when it is
// malformed.
std::string prepare(std::string_view in, size_t index, const container_record& coll,
                    const proto::partition_key_definition& def,
                    const std::optional<proto::partition_key>& header_key, operation& op) {
  auto where_am_i = "Operation " + std::to_string(index) + ": ";
  thread_local std::vector<json_member> members;
  if (!json_object_members(in, members, true).empty())
    return where_am_i + "an operation must be a JSON object";
  operation_fields f;
  std::string decoded;
  for (const auto& m : members) {
    std::string_view name = m.key;
    if (name.find('\\') != std::string_view::npos) {
      decoded = json_key(m.key);
      name = decoded;
    }
    if (name == "operationType")
      f.type = m.value;
    else if (name == "id")
      f.id = m.value;
    else if (name == "partitionKey")
      f.partition_key = m.value;
    else if (name == "resourceBody")
      f.resource_body = m.value;
    else if (name == "ifMatch")
      f.if_match = m.value;
    else if (name == "minimalReturnPreference")
      f.minimal = m.value;
  }
  auto type = f.type ? json_string(*f.type) : std::nullopt;
  if (!type)
    return where_am_i + "no 'operationType' string";
  auto kind = kind_of(*type);
  if (!kind)
    return where_am_i + "unknown operationType '" + *type +
           "' (supported: Create, Upsert, Replace, Delete, Read, Patch)";
  op.kind = *kind;
  nlohmann::json key_fields;
  if (writes_body(op.kind)) {
    document_source doc;
    if (!f.resource_body || !read_document_source(*f.resource_body, def, doc, true).empty())
      return where_am_i + "'resourceBody' must be a JSON object";
    if (!doc.id)
      return where_am_i + "the resourceBody has no 'id' string";
    op.id = std::move(*doc.id);
    if (auto given = f.id ? json_string(*f.id) : std::nullopt; given && *given != op.id)
      return where_am_i + "the id '" + *given + "' does not match the resourceBody's id '" + op.id +
             "'";
    key_fields = std::move(doc.key_fields);
    op.body = std::move(doc.body);
  } else {
    auto id = f.id ? json_string(*f.id) : std::nullopt;
    if (!id)
      return where_am_i + "no 'id' string";
    op.id = std::move(*id);
  }
  if (auto message = check_resource_id(op.id); !message.empty())
    return where_am_i + message;
  // The key: the op's own (JS sends a string holding the JSON array), the header's, the body's.
  std::optional<proto::partition_key> key;
  if (f.partition_key && *f.partition_key != "null") {
    std::string text;
    if (auto s = json_string(*f.partition_key))
      text = std::move(*s);
    else
      json_append_compact(text, *f.partition_key);
    auto parsed = proto::parse_partition_key_header(text);
    if (!parsed)
      return where_am_i + "invalid partitionKey: " + proto::error_message(parsed.error());
    key = std::move(*parsed);
  } else if (header_key) {
    key = header_key;
  }
  if (writes_body(op.kind)) {
    auto from_body = proto::extract_partition_key(key_fields, def);
    if (!from_body)
      return where_am_i + proto::error_message(from_body.error());
    if (key && *key != *from_body)
      return where_am_i + "the partition key " + proto::to_header(*key) +
             " does not match the document's " + proto::to_header(*from_body);
    key = std::move(*from_body);
  }
  if (!key)
    return where_am_i + "no partition key (per operation, in the header or in the document)";
  std::string message;
  auto where = resolve_key(coll, def, std::move(*key), message);
  if (!where)
    return where_am_i + message;
  op.where = std::move(*where);
  if (op.kind == op_kind::patch) {
    nlohmann::json body;
    if (f.resource_body)
      body = nlohmann::json::parse(*f.resource_body, nullptr, false);
    auto req = parse_patch_request(body);
    if (!req)
      return where_am_i + proto::error_message(req.error());
    op.patch = std::move(*req);
  }
  if (f.if_match)
    op.if_match = json_string(*f.if_match);
  if (f.minimal && (*f.minimal == "true" || *f.minimal == "false"))
    op.minimal = *f.minimal == "true";
  return {};
}

caf::expected<op_result> execute(document_transaction& tx, const container_record& coll,
                                 const operation& op) {
  op_result out;
  if (op.kind == op_kind::read) {
    auto doc = tx.read(coll.key, op.where.pk, op.id);
    if (!doc)
      return doc.error();
    out.status = *doc ? 200 : 404;
    out.doc = std::move(*doc);
    out.charge = read_charge(out.doc ? out.doc->body.size() : 0);
    return out;
  }
  if (op.kind == op_kind::patch) {
    auto r = run_patch(tx, coll, op.where, op.id, op.patch, op.if_match);
    if (!r)
      return r.error();
    out.status = r->status;
    if (r->status < 400) {
      out.doc = std::move(r->write.doc);
      out.range_lsn = r->write.range_lsn;
      out.charge = write_charge(out.doc->body.size());
    } else {
      out.charge = 1;
    }
    return out;
  }
  if (op.body.size() > max_document_bytes) {
    out.status = 413;
    return out;
  }
  document_write w;
  w.container = coll.key;
  w.mode = op.kind == op_kind::create    ? write_mode::create
           : op.kind == op_kind::upsert  ? write_mode::upsert
           : op.kind == op_kind::replace ? write_mode::replace
                                         : write_mode::remove;
  w.id = op.id;
  w.pk = op.where.pk;
  w.range_id = op.where.range_id;
  w.epk = op.where.epk;
  w.body = op.body;
  w.if_match = op.if_match;
  auto written = tx.write(w);
  if (!written)
    return written.error();
  out.status = written->status;
  out.range_lsn = written->range_lsn;
  if (written->status < 400) {
    out.charge = write_charge(written->doc.body.size());
    if (written->status != 204)
      out.doc = std::move(written->doc);
  } else {
    out.charge = 1;
  }
  return out;
}

// --faults 429=P: the operations of a bulk batch that was not throttled as a whole are throttled
// on their own with probability P/(2-P) (faults.hpp); one draw per operation that would run.
void throttle_operations(std::vector<operation>& ops) {
  auto* faults = request_fault_injector();
  if (faults == nullptr)
    return;
  std::vector<size_t> runnable;
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].status == 0)
      runnable.push_back(i);
  auto throttled = faults->throttle_operations(runnable.size());
  for (size_t j = 0; j < runnable.size(); ++j) {
    if (!throttled[j])
      continue;
    auto& op = ops[runnable[j]];
    op.status = 429;
    op.substatus = 3200;
    op.retry_after_ms = faults->spec().retry_after.count();
  }
}

} // namespace

void handle_batch(request_context& ctx, const container_record& coll) {
  std::vector<std::string_view> body;
  if (!json_array_elements(ctx.req.body, body).empty())
    return write_error(ctx.res, 400, "The batch body must be a JSON array of operations");
  if (body.empty())
    return write_error(ctx.res, 400, "The batch has no operations");
  if (body.size() > max_batch_operations)
    return write_error(ctx.res, 400,
                       "A batch may have at most " + std::to_string(max_batch_operations) +
                           " operations, this one has " + std::to_string(body.size()));
  bool atomic = !ctx.req.has_header("x-ms-cosmos-batch-atomic") ||
                header_is_true(ctx.req, "x-ms-cosmos-batch-atomic");
  auto def = key_definition(coll);
  if (!def)
    return write_store_error(ctx.res, def.error());
  std::optional<proto::partition_key> header_key;
  if (auto text = ctx.req.get_header_value("x-ms-documentdb-partitionkey"); !text.empty()) {
    auto key = proto::parse_partition_key_header(text);
    if (!key)
      return write_error(ctx.res, 400,
                         "The partition key header x-ms-documentdb-partitionkey is invalid: " +
                             proto::error_message(key.error()));
    header_key = std::move(*key);
  }
  auto range_id = ctx.req.get_header_value("x-ms-documentdb-partitionkeyrangeid");
  if (!range_id.empty() && std::none_of(coll.ranges.begin(), coll.ranges.end(),
                                        [&](const range_record& r) { return r.id == range_id; }))
    return write_error(
        ctx.res, 410, "The partition key range '" + range_id + "' does not exist (any more)", 1002);
  std::vector<operation> ops(body.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    auto message = prepare(body[i], i, coll, *def, header_key, ops[i]);
    if (!message.empty()) {
      if (atomic)
        return write_error(ctx.res, 400, message);
      ops[i].status = 400;
      ops[i].message = std::move(message);
      continue;
    }
    if (atomic && ops[i].where.pk != ops[0].where.pk)
      return write_error(ctx.res, 400,
                         "All operations of a transactional batch must have the same partition "
                         "key: operation 0 has " +
                             ops[0].where.pk + ", operation " + std::to_string(i) + " has " +
                             ops[i].where.pk);
    if (!range_id.empty() && ops[i].where.range_id != range_id) {
      // The client's routing map is stale: it retries after reading the ranges again.
      ops[i].status = 410;
      ops[i].substatus = 1002;
    }
  }
  if (!atomic)
    throttle_operations(ops);
  std::vector<op_result> results(ops.size());
  std::optional<size_t> failed_at;
  auto done = ctx.service.data().transact([&](document_transaction& tx) -> caf::expected<bool> {
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].status != 0) {
        results[i].status = ops[i].status;
        results[i].substatus = ops[i].substatus;
        results[i].retry_after_ms = ops[i].retry_after_ms;
        continue;
      }
      auto r = execute(tx, coll, ops[i]);
      if (!r)
        return r.error();
      results[i] = std::move(*r);
      if (atomic && results[i].status >= 400) {
        failed_at = i;
        return false;
      }
    }
    return true;
  });
  if (!done)
    return write_store_error(ctx.res, done.error());
  std::string out;
  size_t expected = 2;
  for (const auto& r : results)
    expected += 120 + (r.doc ? r.doc->body.size() + 200 : 0);
  out.reserve(expected);
  out += '[';
  double total = 0;
  bool any_failed = false;
  std::map<std::string, int64_t> lsns;
  char number[64];
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i > 0)
      out += ',';
    if (failed_at && i != *failed_at) {
      out += R"({"statusCode":424,"subStatusCode":0,"requestCharge":0})";
      continue;
    }
    const auto& r = results[i];
    total += r.charge;
    std::snprintf(number, sizeof number, R"({"statusCode":%d,"requestCharge":%.17g)", r.status,
                  r.charge);
    out += number;
    if (r.status >= 400) {
      any_failed = true;
      out += ",\"subStatusCode\":";
      out += std::to_string(r.substatus);
      if (r.status == 429) {
        out += ",\"retryAfterMilliseconds\":";
        out += std::to_string(r.retry_after_ms);
      }
    } else if (!failed_at) {
      if (r.range_lsn > 0)
        lsns[ops[i].where.range_id] = std::max(lsns[ops[i].where.range_id], r.range_lsn);
      if (r.doc) {
        out += ",\"eTag\":\"";
        json_append_escaped(out, r.doc->etag);
        out += '"';
        if (!ops[i].minimal) {
          out += ",\"resourceBody\":";
          out += document_text(coll, *r.doc);
        }
      }
    }
    out += '}';
  }
  out += ']';
  std::string session;
  for (const auto& [range, lsn] : lsns)
    session += (session.empty() ? "" : ",") + range + ":-1#" + std::to_string(lsn);
  if (!session.empty())
    put_header(ctx.res, "x-ms-session-token", session);
  set_charge(ctx.res, total);
  write_json(ctx.res, any_failed ? 207 : 200, std::move(out));
}

} // namespace bulkd::emulator::cosmos
