#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/rid.hpp"
#include "emulator/cosmos/document_keys.hpp"
#include "emulator/cosmos/error_response.hpp"
#include "emulator/cosmos/sql/compiled_query.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace bulkd::emulator::cosmos {

namespace proto = bulkd::cosmos;

namespace {

constexpr int64_t default_page_size = 100;

// x-ms-max-item-count: absent, 0 or negative (-1 is "dynamic") mean the default page size.
std::optional<int64_t> page_size(const httplib::Request& req) {
  auto text = req.get_header_value("x-ms-max-item-count");
  if (text.empty())
    return default_page_size;
  try {
    size_t used = 0;
    auto n = std::stoll(text, &used);
    if (used != text.size())
      return std::nullopt;
    return n <= 0 ? default_page_size : n;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The continuation is the position of the next row in the query's (deterministic) result.
std::optional<size_t> start_position(const std::string& token) {
  if (token.empty())
    return 0;
  if (token.size() > 12 || !std::all_of(token.begin(), token.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      }))
    return std::nullopt;
  return static_cast<size_t>(std::stoull(token));
}

} // namespace

void handle_query(request_context& ctx, const container_record& coll) {
  // The JS SDK asks for a plan beside every query and needs it only when a query fails with the
  // "Cross partition query only supports ..." 400, which this emulator never sends: it runs
  // ORDER BY, aggregates and paging over all ranges itself.
  if (header_is_true(ctx.req, "x-ms-cosmos-is-query-plan-request") &&
      !header_is_true(ctx.req, "x-ms-documentdb-isquery"))
    return write_error(ctx.res, 501,
                       "This emulator evaluates queries across all partitions itself and does "
                       "not produce query plans; send the query without "
                       "x-ms-cosmos-is-query-plan-request");
  auto body = nlohmann::json::parse(ctx.req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return write_error(ctx.res, 400,
                       "The query body must be a JSON object {\"query\": ..., \"parameters\": "
                       "[...]}");
  auto text = body.find("query");
  if (text == body.end() || !text->is_string())
    return write_error(ctx.res, 400, "The query body has no 'query' string");
  auto params = body.contains("parameters") ? body["parameters"] : nlohmann::json();
  auto query = sql::compile(text->get<std::string>(), params);
  if (!query)
    return write_error(ctx.res, 400, sql::error_message(query.error()));
  auto max_items = page_size(ctx.req);
  if (!max_items)
    return write_error(ctx.res, 400,
                       "The header x-ms-max-item-count must be an integer, not '" +
                           ctx.req.get_header_value("x-ms-max-item-count") + "'");
  auto token = ctx.req.get_header_value("x-ms-continuation");
  auto start = start_position(token);
  if (!start)
    return write_error(ctx.res, 400, "The continuation token '" + token + "' is invalid");

  std::optional<std::string> range_id;
  std::optional<std::string> pk;
  if (auto header = ctx.req.get_header_value("x-ms-documentdb-partitionkey"); !header.empty()) {
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
    pk = where->pk;
  } else if (auto id = ctx.req.get_header_value("x-ms-documentdb-partitionkeyrangeid");
             !id.empty()) {
    auto known = std::any_of(coll.ranges.begin(), coll.ranges.end(),
                             [&](const range_record& r) { return r.id == id; });
    if (!known)
      return write_error(ctx.res, 410,
                         "The partition key range '" + id + "' does not exist (any more)", 1002);
    range_id = id;
  }
  auto records = ctx.service.data().query_documents(coll.key, range_id, pk);
  if (!records)
    return write_store_error(ctx.res, records.error());
  std::vector<nlohmann::json> docs;
  docs.reserve(records->size());
  size_t scanned = 0;
  for (const auto& r : *records) {
    scanned += r.body.size();
    docs.push_back(document_json(coll, r));
  }
  auto rows = query->execute(docs);
  if (*start > rows.size())
    return write_error(ctx.res, 400, "The continuation token '" + token + "' is invalid");
  auto end = std::min(rows.size(), *start + static_cast<size_t>(*max_items));
  auto page = nlohmann::json::array();
  for (size_t i = *start; i < end; ++i)
    page.push_back(std::move(rows[i]));
  nlohmann::json out{{"_rid", proto::to_string(proto::collection_rid(coll.db_number,
                                                                     collection_number(coll.key)))},
                     {"Documents", std::move(page)},
                     {"_count", end - *start}};
  if (end < rows.size())
    put_header(ctx.res, "x-ms-continuation", std::to_string(end));
  put_header(ctx.res, "x-ms-item-count", std::to_string(end - *start));
  set_charge(ctx.res, read_charge(scanned) + 1);
  write_json(ctx.res, 200, out.dump());
}

} // namespace bulkd::emulator::cosmos
